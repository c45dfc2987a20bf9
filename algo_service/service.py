"""Deploy, list, read and stop algos: the rules behind the REST API, free of HTTP."""
from __future__ import annotations

from pydantic import ValidationError

from algo_service.catalog import Catalog
from algo_service.model import AlgoRecord, AlgoStatus, new_algo_id
from algo_service.schemas import AlgoCreate
from algo_service.store import AlgoStore


class AlgoNotFound(LookupError):
    def __init__(self, algo_id: str) -> None:
        super().__init__(f"no algo {algo_id!r}")
        self.algo_id = algo_id


class InvalidParams(ValueError):
    """The params do not fit the strategy's schema; `errors` names every offending field."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{errors[0]['field']}: {errors[0]['message']}")
        self.errors = errors
        self.field = errors[0]["field"]


class AlgoService:
    def __init__(self, store: AlgoStore, catalog: Catalog) -> None:
        self.store = store
        self.catalog = catalog

    def deploy(self, cmd: AlgoCreate) -> AlgoRecord:
        """Validate the params, record the algo as STARTING and ask the supervisor to start it."""
        spec = self.catalog.get(cmd.strategy)
        params = dict(cmd.params)
        if cmd.account is not None and "account" in spec.params_model.model_fields:
            params.setdefault("account", cmd.account)
        try:
            validated = spec.validate(params)
        except ValidationError as error:
            raise InvalidParams(_errors(error)) from None
        record = AlgoRecord(id=new_algo_id(), strategy=spec.name, params=validated.model_dump(mode="json"),
                            account=cmd.account or params.get("account"), restart_policy=cmd.restart_policy,
                            max_restarts=cmd.max_restarts)
        self.store.create(record)
        self.store.send_command("start", record.id)
        return record

    def get(self, algo_id: str) -> AlgoRecord:
        record = self.store.get(algo_id)
        if record is None:
            raise AlgoNotFound(algo_id)
        return record

    def list(self, statuses: list[AlgoStatus] | None = None, strategy: str | None = None) -> list[AlgoRecord]:
        return self.store.list(statuses, strategy)

    def stop(self, algo_id: str) -> AlgoRecord:
        """Ask for a graceful stop; an algo that already ended is returned as it is."""
        record = self.get(algo_id)
        if record.status.is_live:
            self.store.transition(algo_id, AlgoStatus.STOPPING, allowed_from=(AlgoStatus.STARTING, AlgoStatus.RUNNING))
            self.store.send_command("stop", algo_id)
        return self.get(algo_id)

    def logs(self, algo_id: str, tail: int) -> list[str]:
        self.get(algo_id)
        return self.store.logs(algo_id, tail)


def _errors(error: ValidationError) -> list[dict[str, str]]:
    out = []
    for e in error.errors(include_url=False):
        cause = (e.get("ctx") or {}).get("error")
        named = getattr(cause, "field", None)
        location = named or ".".join(str(part) for part in e["loc"])
        message = str(cause) if named else e["msg"].removeprefix("Value error, ")
        out.append({"field": f"params.{location}" if location else "params", "message": message})
    return out
