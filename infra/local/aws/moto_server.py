"""moto_server, with DynamoDB's write isolation.

DynamoDB runs a TransactWriteItems as one serializable step: its conditions are checked and its
writes applied with no other write in between. moto's server is threaded and takes no lock, and
its transaction copies whole tables to roll back: two overlapping transactions can both pass a
condition (two admissions into the last free slot of a quota), and a rollback undoes what other
writers did meanwhile. Here every DynamoDB write, and every transaction, runs under one lock, and
a transaction checks all of its conditions before it writes anything, so it has nothing to undo.
Everything else is moto's own (moto.server.main).
"""

import sys
import threading
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.server import main

_lock = threading.RLock()


def _serialized(method):
    def run(self, *args, **kwargs):
        with _lock:
            return method(self, *args, **kwargs)

    run.__name__ = method.__name__
    return run


def _key_of(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return op["Key"]
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with _lock:
        seen: set[tuple[str, str]] = set()
        ops = []
        errors: list[tuple[Any, Any, Any]] = []
        for item in transact_items:
            if len(item) > 1:
                raise TransactWriteSingleOpException
            op_type, op = next(iter(item.items()))
            key = _key_of(self, op_type, op)
            ident = (str(op["TableName"]), str(dict(sorted(key.items()))))
            if ident in seen:
                raise MultipleTransactionsException()
            seen.add(ident)
            ops.append((op_type, op, key))
            current = self.get_item(op["TableName"], key)
            condition = op.get("ConditionExpression")
            if condition is None or get_filter_expression(
                condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            ).expr(current):
                errors.append((None, None, None))
                continue
            old = None
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                old = current.to_json()["Attributes"]
            errors.append(("ConditionalCheckFailed", ConditionalCheckFailed().message, old))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)
        # Every condition holds, and nothing can change under the lock: write, unconditionally.
        for op_type, op, key in ops:
            names = op.get("ExpressionAttributeNames")
            if op_type == "Put":
                self.put_item(op["TableName"], op["Item"])
            elif op_type == "Delete":
                self.delete_item(op["TableName"], key)
            elif op_type == "Update":
                self.update_item(
                    op["TableName"],
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=names,
                    expression_attribute_values=op.get("ExpressionAttributeValues"),
                )


for _name in ("put_item", "update_item", "delete_item", "get_item"):
    setattr(DynamoDBBackend, _name, _serialized(getattr(DynamoDBBackend, _name)))
DynamoDBBackend.transact_write_items = _transact_write_items

if __name__ == "__main__":
    sys.exit(main())
