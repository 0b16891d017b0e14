import subprocess
import sys
import textwrap


def test_the_engine_never_imports_django():
    code = textwrap.dedent(
        """
        import sys

        class BlockDjango:
            def find_spec(self, name, path=None, target=None):
                if name == "django" or name.startswith("django."):
                    raise ImportError("the matching engine must not import django")
                return None

        sys.meta_path.insert(0, BlockDjango())
        import alongside.matching
        import alongside.matching.cli
        from alongside.matching import solve_pairs, solve_circles, solve_mentoring
        assert not any(m == "django" or m.startswith("django.") for m in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
