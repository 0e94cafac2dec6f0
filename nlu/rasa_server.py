"""``rasa`` with one fix to Rasa 3.6: action-server responses are checked by a validator built once.

Rasa checks every response of the action server with ``jsonschema.validate``, and jsonschema 4.17 (the
newest Rasa 3.6 allows) first checks the schema itself against its meta-schema on every call: about
18 ms of CPU per action call, 30 of the ~76 ms Rasa spends on a turn (``benchmarks/turn_cpu.py``). The
schema is a constant, so its validator is built once; the same responses pass and fail, with the same
message. The supervisor starts Rasa as ``python -m nlu.rasa_server run ...`` (the arguments of ``rasa``).

numpy's BLAS runs on one thread here, as in the gateway (:mod:`nlu.numeric_threads`): the sentence
featurizer's and the intent classifier's products are small, and idle BLAS threads spin between turns.
Rasa gained less than the gateway from it (CPU per turn, median of three: 33.5 -> 29.3 ms).

No pipeline component imports this module, so it is not part of the trained model's fingerprint.
"""

from __future__ import annotations

import sys
from typing import Any

from nlu.numeric_threads import set_blas_threads

__all__ = ["install_cached_action_validator", "main"]


def install_cached_action_validator() -> None:
    """Replace ``RemoteAction._validate_action_result`` by the same check with a prebuilt validator."""
    from jsonschema import validators
    from jsonschema.exceptions import best_match
    from rasa.core.actions import action
    from rasa.shared.constants import DOCS_BASE_URL

    schema = action.RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does on every call
    validator = validator_class(schema)

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (  # Rasa's own wording (rasa/core/actions/action.py)
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error

    action.RemoteAction._validate_action_result = _validate_action_result


def main() -> None:
    install_cached_action_validator()
    set_blas_threads(1)
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
