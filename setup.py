"""Ship the top-level templates/ and static/ inside the package (as voting/_data/).

Everything else about the package lives in pyproject.toml; this file only adds the
copy step so that an installed (non-editable) package finds its pages.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithAssets(build_py):
    def run(self) -> None:
        super().run()
        for folder in ("templates", "static"):
            target = Path(self.build_lib) / "voting" / "_data" / folder
            shutil.copytree(folder, target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithAssets})
