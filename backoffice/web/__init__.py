"""The staff back office's pages: server-rendered Jinja2 over the same stores and audited paths as the API."""
