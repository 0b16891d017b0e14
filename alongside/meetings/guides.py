"""Default session guides: what to do in the first four meetings, written for each format.

A programme without its own ``SessionGuide`` rows uses these. Meeting 4's guide is the
shape of every meeting after it too. Each body is one prompt per line.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alongside.core.languages import in_language
from alongside.programmes.models import Format

GUIDED_MEETINGS = 4


@dataclass(frozen=True)
class GuideText:
    """A shipped guide: its texts are translated when read, into the reader's language."""

    title_text: str | Promise
    lines: tuple[str | Promise, ...]

    @property
    def title(self) -> str:
        return str(self.title_text)

    @property
    def body(self) -> str:
        return "\n".join(str(line) for line in self.lines)

    @property
    def prompts(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]


def _guide(title: str | Promise, *prompts: str | Promise) -> GuideText:
    return GuideText(title_text=title, lines=prompts)


DEFAULT_GUIDES: dict[str, dict[int, GuideText]] = {
    Format.PEER_PAIRS: {
        1: _guide(
            _("Getting to know each other"),
            _("Each of you: your role, your team and what a good week at work looks like."),
            _("What do you each want from this programme? Pick one to three goals."),
            _("What can each of you offer the other?"),
            _(
                "Agree the rhythm: when you meet, how long, and what happens if one of you "
                "has to move it."
            ),
            _("Agree how you will hold each other to the actions you commit to."),
            _("Before you finish, each commit to one small, specific action."),
        ),
        2: _guide(
            _("A real challenge each"),
            _("Check in: how did your actions from last time go?"),
            _("Each bring one challenge you face right now; take about half the time each."),
            _("While the other talks, ask questions before you offer advice."),
            _("Each commit to one thing you will try before you next meet."),
        ),
        3: _guide(
            _("Progress on your goals"),
            _("Check in on your actions."),
            _("Look at your goals: what has moved, what has not, and why?"),
            _("Is there a skill one of you has that the other could practise with you?"),
            _("Each commit to one action that moves a goal forward."),
        ),
        4: _guide(
            _("Our usual meeting"),
            _("Check in on your actions: done, partly, not yet or dropped, and what happened."),
            _("Each bring one challenge or one win, and work on it together."),
            _("Every few meetings, look at your goals again: are they still the right ones?"),
            _("Each commit to one specific action before the next meeting."),
        ),
    },
    Format.PEER_CIRCLES: {
        1: _guide(
            _("Forming the circle"),
            _("A round of introductions: your role, your team and why you joined."),
            _("Each say what you want from the circle; write down one to three goals."),
            _("Agree the circle's shared goals and ground rules: what is said here stays here."),
            _(
                "Agree the rhythm and how facilitation works: one fixed facilitator, or a "
                "different member each time."
            ),
            _("Agree how you will hold each other to your commitments."),
            _("A closing round: each commit to one specific action."),
        ),
        2: _guide(
            _("Bringing challenges"),
            _("The facilitator opens with a check-in round on last time's actions."),
            _(
                "Two or three members bring a challenge; the others ask questions before "
                "giving advice."
            ),
            _("Keep time so that everyone who brings something gets the circle's focus."),
            _("A closing round: each commit to one action."),
        ),
        3: _guide(
            _("Goals, ours and mine"),
            _("Check-in round on actions."),
            _("How is the circle doing on its shared goals?"),
            _("Those who have not had focus time yet bring their challenge first."),
            _("A closing round: each commit to one action."),
        ),
        4: _guide(
            _("Our usual circle"),
            _("The facilitator opens with a check-in round on everyone's actions."),
            _("Focus time for the members who have not had it recently; give each an equal share."),
            _("Now and then, step back: is the circle working for everyone?"),
            _("A closing round: each commit to one specific action before the next meeting."),
        ),
    },
    Format.ONE_TO_ONE: {
        1: _guide(
            _("Starting the mentoring"),
            _("Mentor: your path so far and what you have learned the hard way."),
            _("Mentee: where you are now and where you want to be in a year."),
            _("Mentee: name one to three development goals; mentor: say how you can help."),
            _(
                "Agree the rhythm, who sets the agenda (usually the mentee) and how to reach "
                "each other in between."
            ),
            _("Agree how the mentor will hold the mentee to their commitments."),
            _("Mentee: commit to one specific action."),
        ),
        2: _guide(
            _("Working on a real situation"),
            _("Check in on the mentee's action."),
            _("Mentee brings one situation they are facing; the mentor asks before telling."),
            _("Mentor: share a relevant experience, including what went wrong."),
            _("Mentee commits to one action; mentor may commit to an introduction or a resource."),
        ),
        3: _guide(
            _("Stretching"),
            _("Check in on last time's actions."),
            _("Review the goals: which one needs a stretch assignment or a new contact?"),
            _("Mentor: give honest feedback on one thing you have noticed."),
            _("Each commit to one action."),
        ),
        4: _guide(
            _("Our usual session"),
            _("Check in on actions: done, partly, not yet or dropped, and what happened."),
            _("Mentee sets the agenda: a challenge, a decision or a win to learn from."),
            _("Look at the goals every few sessions and adjust them."),
            _("Commit to one specific action before the next session."),
        ),
    },
    Format.GROUP_MENTORING: {
        1: _guide(
            _("Meeting the group"),
            _("Mentor: introduce yourself and how you would like the group to work."),
            _("Each mentee: your role and one to three things you want to develop."),
            _("Find the goals you share as a group and write them down."),
            _("Agree the rhythm, and how mentees will hold each other to their actions."),
            _("Each mentee commits to one specific action."),
        ),
        2: _guide(
            _("Learning from each other"),
            _("Check in on each mentee's action."),
            _(
                "One or two mentees bring a challenge; the group asks questions first, then "
                "the mentor adds their view."
            ),
            _("Mentor: one short lesson from experience on a shared goal."),
            _("Each mentee commits to one action."),
        ),
        3: _guide(
            _("Progress as a group"),
            _("Check in on actions."),
            _("Where is each of you on your goals? Who could help whom?"),
            _("Mentees who have not yet brought a challenge go first."),
            _("Each commits to one action."),
        ),
        4: _guide(
            _("Our usual group session"),
            _("Check-in round on everyone's actions."),
            _("Challenges from the mentees, the group first and the mentor last."),
            _("Every few sessions, review the shared goals."),
            _("Each commits to one specific action before the next session."),
        ),
    },
    Format.BUDDIES: {
        1: _guide(
            _("Welcome"),
            _("Buddy: a short tour of how things really work here, and who is who."),
            _("New joiner: what is going well, and what is confusing so far?"),
            _(
                "Pick one to three goals: what the new joiner wants to be at ease with in "
                "their first months."
            ),
            _("Agree when you meet and how to ask quick questions in between."),
            _("New joiner commits to one practical step, such as meeting a key colleague."),
        ),
        2: _guide(
            _("Finding your way"),
            _("Check in on the step from last time."),
            _("Go through the tools, processes or people the new joiner is still unsure of."),
            _("Buddy: one unwritten rule worth knowing."),
            _("Commit to one practical step."),
        ),
        3: _guide(
            _("Settling in"),
            _("Check in on the step."),
            _("What would the new joiner change about their first weeks for the next person?"),
            _("Which of the goals feel done, and what is left?"),
            _("Commit to one practical step."),
        ),
        4: _guide(
            _("Our usual catch-up"),
            _("Check in on the step: done, partly, not yet or dropped."),
            _("One question or one situation the new joiner wants help with."),
            _("Is it time to meet less often, or to close?"),
            _("Commit to one practical step before you next meet."),
        ),
    },
    # Flash rounds are one-off conversations; each round brings a fresh prompt.
    Format.FLASH_ROUNDS: {
        1: _guide(
            "Meet someone new",
            "Each: your work in two sentences, and what a good week looks like.",
            "One thing about how your team works that others might not know.",
            "Leave with one name or one idea worth following up.",
        ),
        2: _guide(
            "A problem worth a second opinion",
            "Each brings one small, real problem from this week.",
            "The other asks questions before offering any advice.",
            "Leave with one thing to try.",
        ),
        3: _guide(
            "How we got here",
            "Each: a turning point in your career, and what you learned from it.",
            "What would you tell yourself on your first day here?",
            "Leave with one idea to pass on.",
        ),
        4: _guide(
            "Across the organisation",
            "Each: one thing your team is proud of this quarter.",
            "Where could your two teams help each other?",
            "Leave with one introduction or one follow-up.",
        ),
    },
}


def default_guide(format: str, number: int) -> GuideText:
    """The default guide for a meeting number; meeting 4's covers every later one."""
    guides = DEFAULT_GUIDES.get(format, DEFAULT_GUIDES[Format.PEER_PAIRS])
    return guides[min(max(number, 1), GUIDED_MEETINGS)]


# What a mentor can do to make each meeting count: the mentor's own side of the guide,
# shown on their home page and meeting page. Meeting 4's covers every later one.
MENTOR_GUIDANCE: dict[int, tuple[Promise, ...]] = {
    1: (
        _("Listen more than you speak: ask what they want from the programme, and why now."),
        _("Share one moment from your own path when you were where they are."),
        _("Help them turn a wish into one to three goals they can check in on."),
        _("Agree that they set the agenda; your job is to ask, then to share."),
    ),
    2: (
        _("Open by asking how their action went, and what they learned from it."),
        _("Ask two questions before you offer any advice."),
        _("Tell a story of something that went wrong for you, not only what went well."),
        _("Offer one concrete thing: an introduction, a document, a meeting to sit in on."),
    ),
    3: (
        _("Look at their goals together: which one is stuck, and what would stretch them?"),
        _("Give one piece of honest, specific feedback you have noticed."),
        _("If a goal needs someone else, make the introduction this week."),
    ),
    4: (
        _("Let them lead: what challenge, decision or win do they bring today?"),
        _("Every few sessions, ask whether the goals are still the right ones."),
        _("Notice progress out loud; people rarely see their own."),
        _("Close with their one action, and say how you will check in on it."),
    ),
}


def mentor_guidance(number: int) -> list[str]:
    """The mentor's side of meeting ``number`` (mentoring formats)."""
    return [str(tip) for tip in MENTOR_GUIDANCE[min(max(number, 1), GUIDED_MEETINGS)]]


def default_guide_in(format: str, number: int, language: str) -> tuple[str, str]:
    """A default guide's (title, body) in ``language``, from the shipped catalogues."""
    with in_language(language):
        guide = default_guide(format, number)
        return guide.title, guide.body


def default_guide_translations(
    format: str, number: int, except_language: str | None
) -> dict[str, dict[str, str]]:
    """A default guide in every shipped language but ``except_language`` (its source's)."""
    source = default_guide_in(format, number, except_language) if except_language else None
    translations = {}
    for code, _name in settings.LANGUAGES:
        if code == except_language:
            continue
        title, body = default_guide_in(format, number, code)
        if (title, body) != source:  # a guide not in the catalogues reads the same
            translations[code] = {"title": title, "body": body}
    return translations
