"""Upstream MCP servers, wrapped: nocp is their client and serves what they offer.

hub.py         UpstreamHub: every configured upstream, started and stopped with the server;
               UpstreamSource: one upstream's tools as a `Source`
connection.py  Upstream: one server's connection, state, faults and restarts; what the
               server asks of nocp's client (sampling, elicitation, roots, logs) is relayed
requests.py    the requests on a connection: a tool call (and its input_required rounds), lists
relay.py       ClientChannel: the way back to nocp's own client, for what an upstream asks
breaker.py     Breaker: the circuit breaker of one upstream
stdio.py       StdioProcess: the stdio transport that keeps the exit code and stderr
results.py     WireResult: an upstream's tool result as JSON, into the pipeline and back
naming.py      exposed_name: the one rule for the names nocp exposes
settings.py    `[upstream.NAME]` and `[upstreams]`
"""
