import nocp


def test_public_api_is_small_and_pinned() -> None:
    assert nocp.__all__ == ["NocpError", "NocpServer", "Optimized", "Settings", "optimize", "tool"]
    for name in nocp.__all__:
        assert getattr(nocp, name) is not None


def test_importing_nocp_does_not_load_the_mcp_sdk() -> None:
    """The CLI (and a bad config's error) starts fast: public names load on first use."""
    import subprocess
    import sys

    code = "import sys, nocp.cli, nocp.config; print(sorted(m for m in sys.modules if m == 'mcp'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert set(nocp.__all__) <= set(dir(nocp))
