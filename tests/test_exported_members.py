import pytest

import nocp


def test_public_api_is_small_and_pinned() -> None:
    assert nocp.__all__ == ["NocpError", "NocpServer", "Optimized", "Settings", "optimize", "tool"]
    for name in nocp.__all__:
        assert getattr(nocp, name) is not None


@pytest.mark.slow  # a real upstream / subprocess: seconds
def test_importing_nocp_does_not_load_the_mcp_sdk() -> None:
    """The CLI (and a bad config's error) starts fast: public names load on first use."""
    import subprocess
    import sys

    code = "import sys, nocp.cli, nocp.config; print(sorted(m for m in sys.modules if m == 'mcp'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert set(nocp.__all__) <= set(dir(nocp))


def test_the_public_callables_keep_their_parameters() -> None:
    """`@tool` takes what the SDK's `MCPServer.tool` takes (and `timeout_s`); a server over your
    own functions is `NocpServer(settings, tools=[…])`, served with `run()`."""
    import inspect

    assert list(inspect.signature(nocp.tool).parameters) == [
        "fn",
        "name",
        "title",
        "description",
        "annotations",
        "structured_output",
        "timeout_s",
    ]
    assert list(inspect.signature(nocp.NocpServer).parameters) == [
        "settings",
        "tools",
        "sources",
        "stats",
        "upstreams",
        "stores",
    ]
    assert list(inspect.signature(nocp.NocpServer.run).parameters) == ["self"]
    assert list(inspect.signature(nocp.optimize).parameters)[:1] == ["value"]
