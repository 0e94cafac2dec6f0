"""Rasa custom actions, served by the gateway's action endpoint.

Each action is one small class that delegates to :mod:`knowledge`; they are
built with their dependencies by :func:`actions.registry.build_actions`.
"""
