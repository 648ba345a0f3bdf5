"""The OpenAPI 3.1 description of the JSON API (hand-written: the API is small)."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def document(server_url: str = "") -> dict[str, Any]:
    callback = {
        "type": "object",
        "required": ["id", "number", "source", "status", "requested_at"],
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "string", "pattern": r"^\+?[0-9]{2,20}$"},
            "name": {"type": "string", "maxLength": 120},
            "queue": {"type": ["string", "null"], "description": "The queue's number."},
            "source": {"type": "string", "enum": ["api", "ivr", "web"]},
            "status": {"type": "string", "enum": ["open", "done", "closed"]},
            "requested_at": {"type": "string", "format": "date-time"},
            "not_before": {"type": ["string", "null"], "format": "date-time"},
            "note": {"type": "string", "maxLength": 1000},
        },
    }
    new_callback = {
        "type": "object",
        "required": ["number"],
        "additionalProperties": False,
        "properties": {
            "number": {"type": "string", "pattern": r"^\+?[0-9]{2,20}$"},
            "name": {"type": "string", "maxLength": 120},
            "not_before": {
                "type": "string",
                "format": "date-time",
                "description": "Do not call before this time (ISO 8601).",
            },
            "queue": {"type": "string", "description": "A queue's number or name."},
            "note": {"type": "string", "maxLength": 1000},
        },
    }
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Switchboard API",
            "version": "1",
            "description": "Callback requests. Authenticate with an API token created by an "
            "administrator: `Authorization: Bearer <token>`. Errors are JSON, in the language "
            "of Accept-Language.",
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/callbacks/": {
                "get": {
                    "operationId": "listCallbacks",
                    "summary": "The callback requests the token's owner handles.",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": ["open", "done", "closed", "all"],
                                "default": "open",
                            },
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                        },
                        {
                            "name": "after",
                            "in": "query",
                            "description": "Only requests with a greater id (next page).",
                            "schema": {"type": "integer"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of requests, oldest first.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "results": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Callback"},
                                            },
                                            "next_after": {"type": ["integer", "null"]},
                                        },
                                    }
                                }
                            },
                        },
                        "400": _error("Bad query parameters."),
                        "401": _error("No valid token."),
                        "403": _error("The token's owner may not read callback requests."),
                    },
                },
                "post": {
                    "operationId": "createCallback",
                    "summary": "Ask to be called back.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewCallback"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Stored.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Callback"}
                                }
                            },
                        },
                        "400": _error("Bad input: nothing was stored; `fields` says why."),
                        "401": _error("No valid token."),
                        "403": _error("The token's owner may not create callback requests."),
                    },
                },
            }
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Callback": callback,
                "NewCallback": new_callback,
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {"type": "string"},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
        },
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
    return document
