import nocp


def test_public_api_is_small_and_pinned() -> None:
    assert nocp.__all__ == ["NocpError", "NocpServer", "Optimized", "Settings", "optimize", "tool"]
    for name in nocp.__all__:
        assert getattr(nocp, name) is not None
