"""`python -m market_data_service`: the REST API under gunicorn on the configured port.

The feeds run under their supervisor: `python -m market_data_service.runner`.
"""
from market_data_service.server import main

main()
