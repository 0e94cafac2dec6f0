"""The staff back office: accounts, roles and sign-in (``backoffice.accounts``) and what staff work with.

A sibling of ``channels`` (layer 6, ADR 0006): channels serve citizens, the back office serves the
agency's staff. It never imports the gateway; its routers reach the runtime through
``http_api.deps.app_runtime`` and a ``Protocol`` of what they use.
"""
