"""What the demo's participants wrote: notes, commitments, check-ins and pulses.

Short and specific, the way people write between meetings. Placeholders in braces are
filled by ``alongside.demo.history`` ({other}: the other person or the circle member in
focus, {situation}, {insight}, {mentee}).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    situations: tuple[str, ...]  # what a session was about
    actions: tuple[str, ...]  # what someone committed to do before the next one


TOPICS: dict[str, Topic] = {
    "Giving feedback": Topic(
        (
            "a senior engineer who keeps talking over the juniors in stand-up",
            "a mid-year review that had been put off twice",
            "a handover that went wrong and nobody said anything about it",
        ),
        (
            "Give my newest engineer feedback on the release handover this week, not at review",
            "Write down the feedback I have been sitting on and deliver one piece of it by Friday",
            "Ask the team in our retro what I should start and stop doing, and share what I heard",
        ),
    ),
    "Delegation": Topic(
        (
            "being the bottleneck on every code review",
            "a lead who is ready for more but never gets the chance",
            "the weekly report that only the manager ever writes",
        ),
        (
            "Hand sprint planning to my senior engineer for the next two sprints",
            "List what I did last week that someone else could own, and hand over two of them",
            "Stay out of the incident channel unless I am paged, for two weeks",
        ),
    ),
    "Leading a team": Topic(
        (
            "a team that waits for the manager to decide everything",
            "two people on the team who no longer talk to each other",
            "taking over a team from a well-liked predecessor",
        ),
        (
            "Run a team charter session: what we own, how we decide, how we disagree",
            "Replace one recurring status meeting with a written update and see who misses it",
            "Have a career conversation with each person on the team before the month ends",
        ),
    ),
    "Hiring and interviewing": Topic(
        (
            "an open role that has been unfilled for four months",
            "an interview panel that cannot agree what good looks like",
            "a strong candidate lost to a slow offer",
        ),
        (
            "Agree a scorecard with my interviewers before Tuesday's loop",
            "Rewrite the job description for the backend role with the hiring panel",
            "Sit in on two interviews run by a manager I trust and compare notes afterwards",
        ),
    ),
    "Managing up": Topic(
        (
            "a manager who only hears about problems when they are already late",
            "priorities that change after every leadership meeting",
            "asking for headcount without a case",
        ),
        (
            "Send my manager a weekly note with the decisions I need, not just status",
            "Take two options and a recommendation for the Q1 roadmap to my next 1:1",
            "Ask my manager what a great quarter from me looks like, in those words",
        ),
    ),
    "Coaching others": Topic(
        (
            "jumping in with the answer when someone brings a problem",
            "a lead who wants to grow but keeps asking for the solution",
            "coaching someone more experienced than you",
        ),
        (
            "Ask at least three questions before giving any advice in every 1:1 this week",
            "Let my lead run the design review and only debrief afterwards",
            "Try the 'what have you already tried?' opener in my next three 1:1s",
        ),
    ),
    "Time management": Topic(
        (
            "a calendar with no free hour before Thursday",
            "1:1s that keep getting cancelled for delivery work",
            "evenings lost to catching up on messages",
        ),
        (
            "Block two mornings a week for thinking time and decline what lands on them",
            "Move all my 1:1s to Tuesday and Thursday so they stop getting cancelled",
            "Track where my hours go for one week and bring the numbers next time",
        ),
    ),
    "Stakeholder management": Topic(
        (
            "a Sales lead who escalates straight to the VP",
            "a migration that five other teams can block",
            "a partner team that agreed in the meeting and did something else",
        ),
        (
            "Set up a monthly sync with the Sales lead before the next escalation, not after",
            "Map who can block the migration and meet two of them before the next session",
            "Put the delivery risks in writing to Finance before quarter close",
        ),
    ),
    "Navigating change": Topic(
        (
            "the reorganisation announced without much detail",
            "a team worried about the new reporting line",
            "a project cancelled halfway through",
        ),
        (
            "Tell the team what I know and what I don't about the reorg in Monday's meeting",
            "Have a 1:1 with each person worried about the new structure this week",
            "Write down what changes for my team and what doesn't, and check it with my manager",
        ),
    ),
    "Work-life balance": Topic(
        (
            "answering messages at midnight and the team copying it",
            "never taking the leave that is already approved",
            "a team working weekends before every release",
        ),
        (
            "No messages after 20:00 for two weeks; schedule-send anything that can wait",
            "Take the Friday off I keep postponing, with a proper handover",
            "Say out loud in stand-up that nobody is expected online at weekends",
        ),
    ),
    "Strategic thinking": Topic(
        (
            "writing the one-page strategy for the platform area",
            "seeing past the next two sprints",
            "how the leadership team decides what not to fund",
        ),
        (
            "Write a one-page view of where my area should be in 18 months and send it over",
            "Read the last two board updates and note three decisions that affect my team",
            "Draft the 'what we will stop doing' list for next year's plan",
        ),
    ),
    "Presenting": Topic(
        (
            "the ops review deck for the leadership team",
            "a five-minute update at the all-hands",
            "being cut off by the CFO halfway through slide three",
        ),
        (
            "Rehearse the ops review with someone outside my team and cut it to ten minutes",
            "Volunteer to give our team's update at the next all-hands",
            "Rewrite the deck so the ask is on the first slide",
        ),
    ),
    "Career growth": Topic(
        (
            "the choice between the principal track and the manager track",
            "what the promotion panel actually looks for",
            "where I want to be in three years",
        ),
        (
            "Ask my manager for a proper conversation about principal versus manager",
            "Talk to two people who made the step to manager in the last year",
            "Write down where I want to be in three years and one step towards it",
        ),
    ),
    "Negotiation": Topic(
        (
            "scope creep on the payments project",
            "a deadline set before anyone estimated the work",
            "a vendor renewal with a 20% price rise",
        ),
        (
            "Go into the scope discussion with a walk-away point and two trade-offs ready",
            "Renegotiate the Q1 deadline with Product using the capacity numbers",
            "Prepare the vendor call with our alternatives written down first",
        ),
    ),
    "Building networks": Topic(
        (
            "knowing nobody outside Engineering",
            "who actually makes the pricing decisions",
            "getting time with busy senior people",
        ),
        (
            "Have coffee with one person from Sales and one from Finance this month",
            "Follow up on both introductions from today within a week",
            "Go to the cross-functional planning day instead of sending a deputy",
        ),
    ),
    "Cross-functional collaboration": Topic(
        (
            "a project split across Support, Product and Finance",
            "two teams building the same thing without knowing it",
            "hand-offs between Operations and Engineering",
        ),
        (
            "Draft a RACI for the pricing project and get Ops and Finance to agree it",
            "Set up a fortnightly check-in with the Support leads",
            "Invite the Finance analyst to our sprint review",
        ),
    ),
}

# What mentors want from mentoring, as their own development goal.
MENTOR_GOALS: dict[str, str] = {
    "Coaching others": "Ask better questions and give fewer answers",
    "Navigating change": "Understand how the reorganisation lands in teams far from mine",
    "Communication": "Explain the leadership team's decisions in plain language",
}

MENTOR_ACTIONS = (
    "Introduce {mentee} to the head of Finance before the planning cycle",
    "Send {mentee} the one-page strategy template we use for leadership papers",
    "Find a leadership review {mentee} can sit in on this month",
    "Read {mentee}'s draft and send written comments before we next meet",
    "Ask two peers what they look for in a promotion case and report back to {mentee}",
)

INSIGHTS = (
    "decide the outcome you want before the meeting, not during it",
    "say the trade-off out loud instead of hoping someone notices",
    "write it down first; a single page forces the thinking",
    "ask what they are worried about before defending the plan",
    "ask for a decision, not for feedback",
    "fewer slides and one clear ask",
    "silence in the room reads as agreement",
    "bring the people who disagree in early, not late",
    "handing over a task is not the same as handing over the decision",
    "name the elephant in the room in the first five minutes",
    "a weekly note beats a monthly surprise",
)

FIRST_MENTORING_NOTES = (
    "First session. We swapped stories of how we each got here and agreed to focus on "
    "{topic}. {other} asked me to bring one real situation every time, not general questions.",
    "Getting to know each other. Agreed: monthly, video, and I send an agenda the day "
    "before. Main thread for the six months: {topic}.",
    "Intro session. Talked about what a good outcome in six months would look like: "
    "progress on {topic}. Agreed to be honest when something isn't working.",
)

MENTORING_NOTES = (
    "Worked through {situation}. Useful reframe from {other}: {insight}. Will try it before "
    "we next meet.",
    "Mostly about {situation}. {other} shared how they handled something similar in their "
    "first year in the role.",
    "Short one, {other} was travelling. Checked in on last month's action and spent the "
    "rest on {situation}.",
    "We spent the hour on {situation}. Takeaway: {insight}.",
    "Reviewed last time's action first (good habit). Then {situation}. {other}'s advice: "
    "{insight}.",
    "Prepared properly this time and it showed. Discussed {situation}. What I'm taking "
    "away: {insight}.",
)

MENTOR_NOTES = (
    "{other} brought {situation}. Pushed back on jumping to a solution; we landed on: {insight}.",
    "Good energy today. Talked about {situation}. Suggested {other} tries: {insight}.",
)

CUT_SHORT_NOTES = (
    "Cut short after twenty minutes: {other} was pulled into an escalation. We only got "
    "as far as {situation}. Agreed to find another slot in the next fortnight.",
)

FIRST_CIRCLE_NOTE = (
    "Kick-off. Introductions, why each of us signed up, and ground rules: what is said "
    "here stays here, cameras on, one challenge in focus per session. Agreed to rotate "
    "facilitation and to open every session with last time's commitments."
)

CIRCLE_NOTES = (
    "{other} brought {situation}. We asked questions for fifteen minutes before anyone "
    "gave advice, which helped. What {other} is taking away: {insight}.",
    "Check-in round on last fortnight's actions, then {other}'s challenge: {situation}. "
    "Main thing we took away: {insight}.",
    "{other} talked through {situation}. Two of us had been there before; the pattern "
    "that worked for both: {insight}.",
    "Good session. Focus on {other} and {situation}. Ran out of time before the second "
    "case; it goes first next time.",
)

STRUGGLING_CIRCLE_NOTES = (
    "Only {present} of us today. {other} raised whether the evening slot still works: "
    "it clashes with family time for some and early calls for others. We need to decide "
    "as a group.",
    "Quiet session, {present} here. Short check-in on actions (most not done), then "
    "{other} on {situation}. Agreed to try once more at this time before asking for a new "
    "slot.",
)

PRIVATE_NOTES = (
    "Felt defensive when {other} pushed on the timeline. Worth noticing.",
    "I keep saying I'll delegate and then I don't. Why?",
    "Came without a concrete example today. Prepare better next time.",
    "Wanted to ask about the promotion question and didn't. Next time, first thing.",
    "{other}'s story stayed with me. I am not the only one finding this hard.",
    "Tired today, quarter-end is heavy. Still glad I came.",
    "The feedback conversation is overdue. Stop waiting for the perfect moment.",
    "Good to hear it said plainly: {insight}.",
)

MENTOR_PRIVATE_NOTES = (
    "{mentee} is sharper on strategy than they give themselves credit for. Push for the "
    "all-hands slot.",
    "Less advice from me next time, more questions.",
    "{mentee} is carrying a lot this quarter. Check the commitment is realistic.",
)

REVIEW_NOTES: dict[str, tuple[str, ...]] = {
    "done": (
        "Done, and it went better than expected.",
        "Done. One follow-up still to handle.",
        "Done on Wednesday. Going to make it a habit.",
        "Done. It took two attempts, but done.",
        "Done. The hardest part was starting.",
    ),
    "partly": (
        "Halfway: first conversation done, the second is booked for Monday.",
        "Did it once, then it slipped the second week.",
        "Started, then the release ate the week. Carrying on.",
        "Draft written, not shared yet.",
    ),
    "not_yet": (
        "Not yet; quarter-end took over. Keeping it for next time.",
        "Not yet. Honestly, I avoided it; we talked about why.",
        "Didn't get to it: the reorg announcement moved everything.",
        "Not yet, I was on leave most of the fortnight.",
    ),
    "dropped": (
        "Dropped: no longer relevant after the team change.",
        "Dropped. Took on a second team and can't carry this now.",
        "Dropped it; we agreed it was the wrong action.",
        "Dropped. Not the priority this quarter.",
    ),
}

MOVED_REASONS = (
    "Customer visit in Pune that day; moved to later in the week.",
    "Off sick; rearranged for later in the week.",
    "Leadership offsite; meeting two days later instead.",
)
SKIPPED_REASONS = (
    "Clash with the quarterly business review; skipping this one.",
    "Most of us on leave for the festival week.",
    "Release weekend; we pick up at the next one.",
)

MIDPOINT_BLOCKING = (
    "",
    "",
    "",
    "Quarter-end made one session short.",
    "Would like a bit more structure for the second half.",
    "Finding time to act on the commitments is the hard part, not the meetings.",
)
DORMANT_BLOCKING = (
    "Our last session was cut short and we haven't found the next date yet. Quarter-end "
    "is eating both our calendars."
)
STRUGGLING_BLOCKING = (
    "The evening slot is hard with family and late calls; attendance has dropped.",
    "Half the circle doesn't come any more. Not sure it works in this form.",
    "Would help to change the time, or to merge with another circle.",
    "I took on a second team and can't keep up with the commitments.",
)
