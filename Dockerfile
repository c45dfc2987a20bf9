# One image for every service; docker-compose.yml picks the command.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY shared shared
COPY order_service order_service
COPY algo_service algo_service
COPY market_data_service market_data_service
COPY exchange_simulator exchange_simulator
COPY trading_system trading_system
RUN pip install .
EXPOSE 5000 8100
CMD ["trading-system", "--help"]
