"""What the order store raises when a write cannot go through as asked."""


class StoreError(Exception):
    """Base of the order store's own errors."""


class DuplicateClientOrderId(StoreError):
    """An order with this client order id (or venue client order id on its venue) is already stored."""

    def __init__(self, client_order_id: str) -> None:
        super().__init__(f"client order id {client_order_id!r} already exists")
        self.client_order_id = client_order_id


class ConcurrentUpdate(StoreError):
    """The stored order changed since it was read; reload it and apply the change again."""

    def __init__(self, order_id: str, version: int) -> None:
        super().__init__(f"order {order_id}: version {version} is not newer than the stored one")
        self.order_id = order_id
        self.version = version


class OrderNotFound(StoreError, LookupError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} does not exist")
        self.order_id = order_id
