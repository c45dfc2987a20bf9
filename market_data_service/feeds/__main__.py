"""`python -m market_data_service.feeds`: the supervisor and its feed processes."""
from market_data_service.runner import main

main()
