"""The checks an ontology engineer runs: the OWL API's OWL 2 DL profile checker and a DL reasoner.

Both run on a Java runtime: the OWL API 3 and Pellet jars that owlready2 ships, driven from
Python through JPype, and Pellet's command line. Without Java the tests are skipped, except
on CI (CI=true), where .ci/run installs Debian's default-jre-headless.
"""

from __future__ import annotations

from pathlib import Path

from servers import require_program


def java() -> str:
    return require_program("java", "Debian: apt-get install default-jre-headless")


def _owlapi_jar() -> Path:
    import owlready2

    return Path(owlready2.__file__).parent / "pellet" / "owlapi-distribution-3.4.3-bin.jar"


def owl2_dl_violations(path: Path) -> list[str]:
    """The OWL API's OWL 2 DL profile violations of an ontology document (imports not followed)."""
    java()
    import jpype
    import jpype.imports

    if not jpype.isJVMStarted():
        jpype.startJVM(classpath=[str(_owlapi_jar())], convertStrings=True)
    from java.io import File  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.apibinding import OWLManager  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.io import FileDocumentSource  # type: ignore[import-not-found]
    from org.semanticweb.owlapi.model import (  # type: ignore[import-not-found]
        MissingImportHandlingStrategy,
        OWLOntologyLoaderConfiguration,
    )
    from org.semanticweb.owlapi.profiles import OWL2DLProfile  # type: ignore[import-not-found]

    manager = OWLManager.createOWLOntologyManager()
    config = OWLOntologyLoaderConfiguration().setMissingImportHandlingStrategy(
        MissingImportHandlingStrategy.SILENT
    )
    ontology = manager.loadOntologyFromOntologyDocument(FileDocumentSource(File(str(path))), config)
    report = OWL2DLProfile().checkOntology(ontology)
    return sorted(" ".join(str(v).split()) for v in report.getViolations())


def pellet_consistent(path: Path) -> bool:
    """Whether Pellet (the jars owlready2 ships, through the OWL API) finds a document consistent.

    Pellet rather than HermiT: HermiT knows only OWL 2's datatype map, which lacks xsd:gYear.
    """
    import subprocess

    import owlready2

    jars = Path(owlready2.__file__).parent / "pellet"
    result = subprocess.run(
        [
            java(),
            "-cp",
            f"{jars}/*",
            "pellet.Pellet",
            "consistency",
            "-l",
            "OWLAPIv3",
            "--ignore-imports",
            path.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if "Consistent: Yes" in result.stdout:
        return True
    if "Consistent: No" in result.stdout:
        return False
    raise AssertionError(f"Pellet did not answer:\n{result.stdout}\n{result.stderr}")
