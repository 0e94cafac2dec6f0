"""The assistant: Rasa domain and training data, and the gateway that runs a turn."""
