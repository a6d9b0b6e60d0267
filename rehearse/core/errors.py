"""The one exception a user ever sees.

Every fault the user can act on (no device, unreadable file, unknown archetype, ...) is raised as a
:class:`RehearseError` whose message is one plain sentence saying what happened and what to do.
The CLI prints it on stderr and exits with code 2; nothing else is ever shown as a traceback.
"""

from __future__ import annotations


class RehearseError(Exception):
    """A problem the user can fix; ``str(err)`` is the sentence shown to them."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DecodeAbandoned(Exception):
    """A live decode stopped part-way because its words are no longer wanted (a pause began while
    the growing answer was being decoded, or the pause a tail was decoded for is over). Not a fault:
    the live transcriber that asked for it catches it; it never reaches the user."""


class SpeechSynthesisError(RehearseError):
    """A prompt could not be turned into speech; the caller can show the prompt as text and go on.

    Raised by :func:`rehearse.audio.tts.render` for every failure (nothing to synthesise with, an
    unknown voice, every synthesiser failing), with one sentence saying which.
    """


class DiskFullError(RehearseError):
    """The disk filled while writing (a recording, the database); what was written before is kept."""


class NoSpeechError(RehearseError):
    """The recording or file held no speech we could hear."""

    def __init__(self, message: str, session_id: str | None = None):
        super().__init__(message)
        self.session_id = session_id
        """The session the silent recording is kept as, when there is one."""


class Interrupted(RehearseError):
    """The user pressed Ctrl-C; what was recorded so far has been kept."""

    exit_code = 130
