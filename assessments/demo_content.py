"""The demo institution's assessments, as data; ``manage.py seed_demo`` loads them.

Per published demo course: one summative (pass mark 70 %) with two single
choice, one multiple select, one true/false, one short answer, one scenario
decision and one rubric-graded project; a three-item formative check on the
first module and a two-item check on each module that teaches an outcome the
diagnostic assesses (so its "focus on" suggestions point to modules); and a
three-item diagnostic. Every item names the learning outcomes it assesses by
their position (``1`` is LO1); a project assesses the outcomes of its rubric's
criteria. Every option carries feedback. COM-105 is
in French. Natural keys: assessment (course, kind, title), item (assessment,
position), option (item, position), rubric (course, title), criterion
(rubric, position), level (criterion, label).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import AssessmentKind, ItemKind

SUMMATIVE, FORMATIVE, DIAGNOSTIC = (
    AssessmentKind.SUMMATIVE,
    AssessmentKind.FORMATIVE,
    AssessmentKind.DIAGNOSTIC,
)
LEVEL_POINTS = (Decimal("0"), Decimal("2"), Decimal("3"))
LEVEL_LABELS = {
    "en": ("Not yet", "Meets", "Exceeds"),
    "fr": ("Pas encore", "Atteint", "Dépassé"),
}


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Opt:
    text: str
    feedback: str
    correct: bool = False
    consequence: str = ""


@dataclass(frozen=True)
class Criterion:
    outcome: int
    title: str
    levels: tuple[tuple[str, Decimal, str], ...]


@dataclass(frozen=True)
class Question:
    kind: str
    prompt: str
    outcomes: tuple[int, ...] = ()
    points: Decimal = Decimal("1")
    options: tuple[Opt, ...] = ()
    case: str = ""
    accepted_answers: tuple[str, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    allowed_file_types: str = ""
    max_file_mb: int = 10


@dataclass(frozen=True)
class AssessmentSpec:
    kind: str
    title: str
    instructions: str
    questions: tuple[Question, ...]
    module: int | None = None  # position of the module, for formative checks
    pass_mark_percent: Decimal = Decimal("70")
    rubric_title: str = ""


def criterion(
    outcome: int, title: str, not_yet: str, meets: str, exceeds: str, *, lang="en"
) -> Criterion:
    """A rubric criterion with the three demo levels (0, 2 and 3 points)."""
    labels = LEVEL_LABELS[lang]
    return Criterion(
        outcome=outcome,
        title=title,
        levels=tuple(zip(labels, LEVEL_POINTS, (not_yet, meets, exceeds), strict=True)),
    )


def true_false(
    prompt: str,
    answer: bool,
    *,
    outcomes: tuple[int, ...],
    right: str,
    wrong: str,
    lang: str = "en",
) -> Question:
    """A true-or-false item; ``right``/``wrong`` is the feedback on each option."""
    yes, no = ("Vrai", "Faux") if lang == "fr" else ("True", "False")
    return Question(
        kind=ItemKind.TRUE_FALSE,
        prompt=prompt,
        outcomes=outcomes,
        options=(
            Opt(yes, right if answer else wrong, correct=answer),
            Opt(no, wrong if answer else right, correct=not answer),
        ),
    )


def single(prompt: str, *options: Opt, outcomes: tuple[int, ...]) -> Question:
    return Question(
        kind=ItemKind.SINGLE, prompt=prompt, outcomes=outcomes, options=options
    )


def multiple(
    prompt: str, *options: Opt, outcomes: tuple[int, ...], points: str = "2"
) -> Question:
    return Question(
        kind=ItemKind.MULTIPLE,
        prompt=prompt,
        outcomes=outcomes,
        options=options,
        points=Decimal(points),
    )


def short(prompt: str, *accepted: str, outcomes: tuple[int, ...]) -> Question:
    return Question(
        kind=ItemKind.SHORT_ANSWER,
        prompt=prompt,
        outcomes=outcomes,
        accepted_answers=accepted,
    )


def scenario(
    case: str, prompt: str, *options: Opt, outcomes: tuple[int, ...]
) -> Question:
    return Question(
        kind=ItemKind.SCENARIO,
        case=case,
        prompt=prompt,
        outcomes=outcomes,
        options=options,
        points=Decimal("2"),
    )


def project(prompt: str, *criteria: Criterion) -> Question:
    return Question(
        kind=ItemKind.PROJECT,
        prompt=prompt,
        criteria=criteria,
        points=Decimal("8"),
        allowed_file_types=".pdf,.docx,.odt,.txt",
        max_file_mb=10,
    )


EN_SUMMATIVE = (
    "Answer every question; your answers are saved as you go. The project is "
    "graded by your instructor with the rubric shown. You pass with 70 % or "
    "more and every learning outcome met. You have two attempts: the second "
    "opens once the feedback on the first is released."
)
FR_SUMMATIVE = (
    "Répondez à toutes les questions ; vos réponses sont enregistrées au fur "
    "et à mesure. Le projet est corrigé par votre formateur avec la grille "
    "affichée. Vous réussissez avec 70 % ou plus et tous les résultats "
    "d'apprentissage atteints. Vous avez deux tentatives : la seconde s'ouvre "
    "une fois la rétroaction sur la première publiée."
)
EN_FORMATIVE = (
    "A quick check of this module: try it as often as you like. You see "
    "feedback on each answer at once, and it never blocks your progress."
)
FR_FORMATIVE = (
    "Une vérification rapide de ce module, autant de fois que vous le "
    "souhaitez. La rétroaction s'affiche tout de suite et ne bloque jamais "
    "votre progression."
)
EN_DIAGNOSTIC = (
    "Three questions before you start. Your results show which learning "
    "outcomes and modules to focus on; they do not count toward your grade."
)
FR_DIAGNOSTIC = (
    "Trois questions avant de commencer. Vos résultats indiquent les "
    "résultats d'apprentissage et les modules à privilégier ; ils ne comptent "
    "pas dans la note."
)


# ---------------------------------------------------------------------------
# DATA-101 Data literacy for workplace decisions
# ---------------------------------------------------------------------------

DATA_101 = (
    AssessmentSpec(
        kind=DIAGNOSTIC,
        title="Where to start: data literacy",
        instructions=EN_DIAGNOSTIC,
        questions=(
            single(
                "Monthly sales were 10, 12, 11, 13 and 94 units. Which figure "
                "best describes a typical month?",
                Opt(
                    "The median, 12",
                    "Right: the median ignores the one extreme month.",
                    correct=True,
                ),
                Opt(
                    "The mean, 28",
                    "The one extreme month pulls the mean far above every other month.",
                ),
                Opt(
                    "The maximum, 94",
                    "The maximum describes the exceptional month, not a typical one.",
                ),
                outcomes=(2,),
            ),
            true_false(
                "Two figures that rise together show that one causes the other.",
                False,
                outcomes=(4,),
                right="Right: a correlation alone does not show a cause.",
                wrong="Not so: both may follow a third factor, or rise by chance.",
            ),
            single(
                "Before relying on a spreadsheet a colleague sent you, what do "
                "you check first?",
                Opt(
                    "Where the data came from and what is missing",
                    "Right: provenance and completeness come first.",
                    correct=True,
                ),
                Opt(
                    "Whether the chart colours are clear",
                    "Presentation matters later; first check the data itself.",
                ),
                Opt(
                    "Nothing: a colleague prepared it",
                    "Trust is not a check: every dataset has a history.",
                ),
                outcomes=(3,),
            ),
        ),
    ),
    AssessmentSpec(
        kind=FORMATIVE,
        title="Check your understanding: from decision to question",
        instructions=EN_FORMATIVE,
        module=1,
        questions=(
            single(
                "Which is a measurable indicator for the decision “should we "
                "extend help desk hours?”",
                Opt(
                    "Share of requests arriving outside opening hours",
                    "Right: it can be counted, given a baseline and a target.",
                    correct=True,
                ),
                Opt(
                    "Whether customers are happy",
                    "Too vague to measure as stated: how would you count it?",
                ),
                Opt(
                    "The help desk's reputation",
                    "Reputation matters, but it is not an indicator you can "
                    "measure monthly.",
                ),
                outcomes=(1,),
            ),
            true_false(
                "An indicator needs a baseline so you know what counts as a change.",
                True,
                outcomes=(1,),
                right="Right: without a baseline a target means little.",
                wrong="A baseline is what you compare the target with.",
            ),
            multiple(
                "Which belong in a well-formed indicator? Choose all that apply.",
                Opt("A baseline", "Yes: where you start.", correct=True),
                Opt("A target", "Yes: what would make you act.", correct=True),
                Opt("A data source", "Yes: where the number comes from.", correct=True),
                Opt("A chart type", "No: how you show it is a later choice."),
                outcomes=(1,),
            ),
        ),
    ),
    AssessmentSpec(
        kind=SUMMATIVE,
        title="Final assessment: data literacy",
        instructions=EN_SUMMATIVE,
        rubric_title="Decision brief rubric",
        questions=(
            single(
                "A report says average response time fell from 4 to 3 days. "
                "Which question matters most before you celebrate?",
                Opt(
                    "Did the median and the spread change too?",
                    "Right: an average can fall because of a few fast cases "
                    "while most stay slow.",
                    correct=True,
                ),
                Opt(
                    "Was the report sent on time?",
                    "Timeliness of the report says nothing about the figure.",
                ),
                Opt(
                    "Is 3 a round number?",
                    "Roundness is irrelevant; look at the distribution.",
                ),
                outcomes=(2,),
            ),
            single(
                "A survey of customers who contacted support found 80 % "
                "satisfied. What is the main risk in using it for all customers?",
                Opt(
                    "Selection bias: only people who contacted support answered",
                    "Right: the sample is not the population you care about.",
                    correct=True,
                ),
                Opt(
                    "The percentage is too high to be true",
                    "High figures can be true; the problem is who answered.",
                ),
                Opt(
                    "Percentages cannot describe satisfaction",
                    "They can, if the sample represents the population.",
                ),
                outcomes=(3,),
            ),
            multiple(
                "Which of these can make a bar chart mislead? Choose all that apply.",
                Opt(
                    "A value axis that does not start at zero",
                    "Yes: small differences look large.",
                    correct=True,
                ),
                Opt(
                    "Bars of different widths",
                    "Yes: the eye reads area, not only height.",
                    correct=True,
                ),
                Opt(
                    "Leaving out the time period",
                    "Yes: the reader cannot judge what is compared.",
                    correct=True,
                ),
                Opt(
                    "Labelling each bar with its value",
                    "No: labels help the reader check the bars.",
                ),
                Opt(
                    "Sorting the bars by size",
                    "No: sorting makes the comparison easier to read.",
                ),
                outcomes=(2,),
            ),
            true_false(
                "Offices with more training hours have fewer incidents, so "
                "training reduces incidents.",
                False,
                outcomes=(4,),
                right="Right: larger, better-funded offices may both train more "
                "and have fewer incidents. Test the cause before claiming it.",
                wrong="This is a correlation; a third factor such as office "
                "size may explain both.",
            ),
            short(
                "An indicator has a baseline of 20 and a target of 25. By what "
                "percentage must it rise to reach the target? (a number)",
                "25",
                "25%",
                "25 %",
                outcomes=(1,),
            ),
            scenario(
                "Your manager wants to close the Saturday service because "
                "“hardly anyone uses it”. The only evidence is a count of "
                "visits from last August, when the service was half-staffed.",
                "What do you recommend?",
                Opt(
                    "Collect four weeks of current visit data before deciding",
                    "Right: the evidence is unrepresentative; a short, cheap "
                    "collection settles it.",
                    correct=True,
                    consequence="Four weeks later the data shows Saturday use "
                    "at 60 % of a weekday; the service stays with one fewer "
                    "staff member.",
                ),
                Opt(
                    "Close the service: the count is low",
                    "A half-staffed August is not a fair baseline.",
                    consequence="Complaints rise in October; the service is "
                    "reopened at extra cost.",
                ),
                Opt(
                    "Keep the service and ignore the question",
                    "Avoiding the question leaves the decision to opinion.",
                    consequence="The question returns at budget time, with no "
                    "better evidence.",
                ),
                outcomes=(3, 4),
            ),
            project(
                "Write a one-page decision brief for a decision in your own "
                "workplace: state your recommendation, two or three "
                "indicators (baseline, target, source) and the main "
                "uncertainty. Type it below or upload it.",
                criterion(
                    1,
                    "Indicators",
                    "Indicators are vague or lack a baseline, target or source.",
                    "Two or three indicators, each with baseline, target and source.",
                    "Indicators are precise and clearly tied to the decision.",
                ),
                criterion(
                    5,
                    "Recommendation and uncertainty",
                    "No clear recommendation, or the uncertainty is missing.",
                    "A clear recommendation with its evidence and main uncertainty.",
                    "Also says what evidence would change the recommendation.",
                ),
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------
# PSY-110 Psychological safety in teams
# ---------------------------------------------------------------------------

PSY_110 = (
    AssessmentSpec(
        kind=DIAGNOSTIC,
        title="Where to start: psychological safety",
        instructions=EN_DIAGNOSTIC,
        questions=(
            true_false(
                "Psychological safety means the team avoids disagreement.",
                False,
                outcomes=(1,),
                right="Right: safe teams disagree more openly, not less.",
                wrong="Safety is about being able to disagree without fear.",
            ),
            single(
                "Which is the clearest sign of low safety in a meeting?",
                Opt(
                    "Nobody speaks after “any concerns?”",
                    "Right: silence is data, rarely agreement.",
                    correct=True,
                ),
                Opt(
                    "People disagree with the lead",
                    "Open disagreement is usually a sign of safety.",
                ),
                Opt(
                    "The meeting ends early", "Meeting length says little about safety."
                ),
                outcomes=(2,),
            ),
            single(
                "A colleague admits a mistake. What is the best first response?",
                Opt(
                    "Thank them for raising it, then fix it together",
                    "Right: reward the speaking up, then deal with the problem.",
                    correct=True,
                ),
                Opt(
                    "Ask why they did not catch it earlier",
                    "Blame first teaches people to hide the next mistake.",
                ),
                Opt(
                    "Say nothing and fix it yourself",
                    "The team loses the chance to learn from it.",
                ),
                outcomes=(3,),
            ),
        ),
    ),
    AssessmentSpec(
        kind=FORMATIVE,
        title="Check your understanding: what psychological safety is",
        instructions=EN_FORMATIVE,
        module=1,
        questions=(
            single(
                "High safety with high standards puts a team in which zone?",
                Opt(
                    "The learning zone",
                    "Right: demanding goals, open talk.",
                    correct=True,
                ),
                Opt("The comfort zone", "That is high safety, low standards."),
                Opt("The anxiety zone", "That is low safety, high standards."),
                outcomes=(1,),
            ),
            true_false(
                "Better hospital teams reported more errors in the research.",
                True,
                outcomes=(1,),
                right="Right: they felt safe to report them.",
                wrong="They did: reporting rose with safety, not with errors.",
            ),
            multiple(
                "Which describe psychological safety? Choose all that apply.",
                Opt(
                    "People can ask questions without looking foolish",
                    "Yes.",
                    correct=True,
                ),
                Opt("People can admit mistakes", "Yes.", correct=True),
                Opt("Nobody is ever criticised", "No: safety allows candid criticism."),
                Opt("Standards are relaxed", "No: safety and standards combine."),
                outcomes=(1,),
            ),
        ),
    ),
    AssessmentSpec(
        kind=SUMMATIVE,
        title="Final assessment: psychological safety",
        instructions=EN_SUMMATIVE,
        rubric_title="Team routine rubric",
        questions=(
            single(
                "Which statement best distinguishes psychological safety from "
                "niceness?",
                Opt(
                    "Safety lets people say uncomfortable things; niceness may "
                    "hide them",
                    "Right.",
                    correct=True,
                ),
                Opt(
                    "They are the same thing",
                    "A nice team can still be unsafe to disagree in.",
                ),
                Opt(
                    "Safety means lower expectations",
                    "Safety combines with high standards.",
                ),
                outcomes=(1,),
            ),
            single(
                "You tally two weeks of meetings. Which pattern most suggests "
                "low safety?",
                Opt(
                    "Concerns are raised only by the two most senior people",
                    "Right: others may be waiting for permission.",
                    correct=True,
                ),
                Opt(
                    "Concerns come from many people, early",
                    "That is a sign of a safe climate.",
                ),
                Opt(
                    "Meetings include some laughter",
                    "Laughter alone tells you little either way.",
                ),
                outcomes=(2,),
            ),
            multiple(
                "Which behaviours can you observe to assess speaking up? "
                "Choose all that apply.",
                Opt("Who speaks, and in what order", "Yes.", correct=True),
                Opt("How bad news is first mentioned", "Yes.", correct=True),
                Opt(
                    "Whether questions to the lead challenge as well as clarify",
                    "Yes.",
                    correct=True,
                ),
                Opt(
                    "What people privately think",
                    "No: that is not observable; watch behaviour.",
                ),
                outcomes=(2,),
            ),
            true_false(
                "Responding to a raised concern with curiosity means letting go "
                "of accountability.",
                False,
                outcomes=(3,),
                right="Right: you can thank the speaker and still agree who "
                "fixes what by when.",
                wrong="Curiosity and accountability go together.",
            ),
            short(
                "What one word names the zone of high standards with low safety?",
                "anxiety",
                "anxiety zone",
                outcomes=(1,),
            ),
            scenario(
                "In a project review, a junior analyst says the launch date "
                "looks unrealistic. The sponsor frowns; the room goes quiet.",
                "As the team lead, what do you do next?",
                Opt(
                    "Thank her, ask what she sees, and agree a follow-up",
                    "Right: it rewards the warning and keeps it actionable.",
                    correct=True,
                    consequence="Two others add risks they had noticed; the "
                    "date moves by two weeks before it becomes a crisis.",
                ),
                Opt(
                    "Move on to keep the meeting on time",
                    "Moving on signals that warnings are unwelcome.",
                    consequence="The date slips anyway, a month later, and "
                    "nobody raised it again.",
                ),
                Opt(
                    "Ask her to bring evidence before speaking again",
                    "A demand for proof up front silences early warnings.",
                    consequence="She stops raising concerns in meetings.",
                ),
                outcomes=(3,),
            ),
            project(
                "Design a recurring routine for your team that invites dissent "
                "and early warnings (for example a pre-mortem or a weekly "
                "risk round). Describe it, how you will run the first session, "
                "and how you will know it works.",
                criterion(
                    4,
                    "Routine design",
                    "The routine is vague or does not invite dissent.",
                    "A concrete, recurring routine that invites dissent.",
                    "Also anticipates how power or rank could silence people.",
                ),
                criterion(
                    2,
                    "Evidence it works",
                    "No observable signal of success.",
                    "Names observable behaviours to track.",
                    "Gives a baseline and a review date for those behaviours.",
                ),
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------
# CYB-101 Everyday cyber hygiene
# ---------------------------------------------------------------------------

CYB_101 = (
    AssessmentSpec(
        kind=DIAGNOSTIC,
        title="Where to start: cyber hygiene",
        instructions=EN_DIAGNOSTIC,
        questions=(
            true_false(
                "Reusing one strong password on several sites is safe.",
                False,
                outcomes=(2,),
                right="Right: one breach then opens every account.",
                wrong="One leak exposes every account that shares it.",
            ),
            single(
                "An e-mail from “IT” asks you to confirm your password by "
                "link within one hour. What is it most likely to be?",
                Opt(
                    "Phishing", "Right: urgency plus a password request.", correct=True
                ),
                Opt("A routine IT check", "IT never asks for your password."),
                Opt("Spam to ignore", "Ignoring it is not enough: report it."),
                outcomes=(3,),
            ),
            single(
                "Your laptop shows a ransom note. What comes first?",
                Opt(
                    "Disconnect it from the network and call the help desk",
                    "Right: contain, then report.",
                    correct=True,
                ),
                Opt(
                    "Pay quickly to get the files back",
                    "Paying funds attackers and often fails.",
                ),
                Opt("Restart and hope", "A restart can destroy evidence."),
                outcomes=(5,),
            ),
        ),
    ),
    AssessmentSpec(
        kind=FORMATIVE,
        title="Check your understanding: how attacks start",
        instructions=EN_FORMATIVE,
        module=1,
        questions=(
            single(
                "Which habit best blocks attacks through unpatched software?",
                Opt("Installing updates promptly", "Right.", correct=True),
                Opt("Using a longer password", "Passwords do not fix software flaws."),
                Opt("Clearing the browser cache", "That does not patch flaws."),
                outcomes=(1,),
            ),
            true_false(
                "Stolen or guessed passwords are one of the most common ways "
                "attacks begin.",
                True,
                outcomes=(1,),
                right="Right: which is why MFA matters.",
                wrong="They are among the most common starting points.",
            ),
            multiple(
                "Which are common ways attacks begin? Choose all that apply.",
                Opt("Phishing messages", "Yes.", correct=True),
                Opt("Reused or weak passwords", "Yes.", correct=True),
                Opt("Unpatched software", "Yes.", correct=True),
                Opt("Turning a screen off at night", "No: that is harmless."),
                outcomes=(1,),
            ),
        ),
    ),
    AssessmentSpec(
        kind=SUMMATIVE,
        title="Final assessment: cyber hygiene",
        instructions=EN_SUMMATIVE,
        rubric_title="Personal security plan rubric",
        questions=(
            single(
                "Which second factor resists phishing best?",
                Opt(
                    "A hardware security key or passkey",
                    "Right: it will not answer a fake site.",
                    correct=True,
                ),
                Opt("An SMS code", "Codes can be typed into a fake page."),
                Opt("A security question", "Answers are often guessable."),
                outcomes=(2,),
            ),
            single(
                "Which habit blocks an attack that starts with a malicious "
                "e-mail attachment?",
                Opt(
                    "Opening attachments only when expected, and reporting the rest",
                    "Right.",
                    correct=True,
                ),
                Opt("Forwarding it to colleagues to ask", "That spreads the risk."),
                Opt("Opening it on a phone instead", "Phones can be compromised too."),
                outcomes=(1,),
            ),
            multiple(
                "Which are warning signs of phishing? Choose all that apply.",
                Opt("Urgency or threats", "Yes.", correct=True),
                Opt(
                    "A sender address that does not match the organisation",
                    "Yes.",
                    correct=True,
                ),
                Opt("A request for credentials or payment", "Yes.", correct=True),
                Opt(
                    "A message from a known colleague about a meeting you arranged",
                    "No: expected and consistent.",
                ),
                outcomes=(3,),
            ),
            true_false(
                "A backup kept only on a drive always connected to your "
                "laptop protects you from ransomware.",
                False,
                outcomes=(4,),
                right="Right: ransomware encrypts connected drives too; keep "
                "one copy offline or versioned.",
                wrong="A connected drive is encrypted along with the laptop.",
            ),
            short(
                "In the 3-2-1 backup rule, how many copies should be kept off "
                "site? (a number)",
                "1",
                "one",
                outcomes=(4,),
            ),
            scenario(
                "You clicked a link in a message and typed your work password "
                "before noticing the address was wrong.",
                "What do you do first?",
                Opt(
                    "Change the password from a trusted device and report it "
                    "to the help desk now",
                    "Right: contain and report.",
                    correct=True,
                    consequence="IT resets your sessions within the hour; the "
                    "attacker's login attempt fails.",
                ),
                Opt(
                    "Wait to see whether anything happens",
                    "Attackers move within minutes.",
                    consequence="Two days later your mailbox sends phishing to "
                    "your colleagues.",
                ),
                Opt(
                    "Delete the message and say nothing",
                    "The password is still compromised.",
                    consequence="The attacker keeps access unnoticed.",
                ),
                outcomes=(5,),
            ),
            project(
                "Write your personal security plan: how you set up a password "
                "manager and MFA on a work and a personal account, and the "
                "first steps you would take after a suspected compromise.",
                criterion(
                    2,
                    "Password manager and MFA",
                    "Setup is missing or unsafe.",
                    "Both accounts use a password manager and MFA, described "
                    "step by step.",
                    "Also covers recovery codes and a phishing-resistant factor.",
                ),
                criterion(
                    5,
                    "Incident first steps",
                    "Steps are missing or in an unsafe order.",
                    "Contain, report and recover, in that order.",
                    "Also names who to call and what evidence to keep.",
                ),
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------
# PRJ-120 Project scheduling
# ---------------------------------------------------------------------------

PRJ_120 = (
    AssessmentSpec(
        kind=DIAGNOSTIC,
        title="Where to start: project scheduling",
        instructions=EN_DIAGNOSTIC,
        questions=(
            single(
                "What does a work breakdown structure list?",
                Opt(
                    "Deliverables and the work to produce them", "Right.", correct=True
                ),
                Opt("Who reports to whom", "That is an org chart."),
                Opt("The budget by month", "That is a cost plan."),
                outcomes=(1,),
            ),
            true_false(
                "Delaying an activity on the critical path delays the project.",
                True,
                outcomes=(3,),
                right="Right: critical activities have no float.",
                wrong="Critical activities have zero float by definition.",
            ),
            single(
                "Which estimate states its uncertainty?",
                Opt(
                    "4 to 9 days, most likely 5",
                    "Right: a three-point estimate.",
                    correct=True,
                ),
                Opt("5 days", "A single number hides the uncertainty."),
                Opt("About a week", "Vague, and no range."),
                outcomes=(2,),
            ),
        ),
    ),
    AssessmentSpec(
        kind=FORMATIVE,
        title="Check your understanding: breaking the work down",
        instructions=EN_FORMATIVE,
        module=1,
        questions=(
            single(
                "Which is a deliverable rather than an activity?",
                Opt("Signed supplier contract", "Right: a result.", correct=True),
                Opt("Negotiate with suppliers", "That is an activity."),
                Opt("Call the supplier", "That is an activity."),
                outcomes=(1,),
            ),
            true_false(
                "The lowest level of a WBS should be small enough to estimate "
                "and assign.",
                True,
                outcomes=(1,),
                right="Right: that is the work package.",
                wrong="Work packages must be estimable and assignable.",
            ),
            multiple(
                "Which make a good work package? Choose all that apply.",
                Opt("One clear owner", "Yes.", correct=True),
                Opt("A visible finished state", "Yes.", correct=True),
                Opt("Lasting the whole project", "No: too large to track."),
                outcomes=(1,),
            ),
        ),
    ),
    AssessmentSpec(
        kind=SUMMATIVE,
        title="Final assessment: project scheduling",
        instructions=EN_SUMMATIVE,
        rubric_title="Schedule and status report rubric",
        questions=(
            single(
                "Optimistic 4, most likely 6, pessimistic 14 days. What is the "
                "PERT estimate?",
                Opt("7 days", "Right: (4 + 4×6 + 14) / 6 = 7.", correct=True),
                Opt("6 days", "That is the most likely value alone."),
                Opt("8 days", "That is the simple average of the three."),
                outcomes=(2,),
            ),
            single(
                "An activity has 3 days of total float. It slips 2 days. What "
                "happens to the project end date?",
                Opt("Nothing: the slip is within its float", "Right.", correct=True),
                Opt("It moves 2 days", "Only if the slip exceeds the float."),
                Opt("It moves 3 days", "Float is not added to the end date."),
                outcomes=(3,),
            ),
            multiple(
                "Which belong in a good status report to sponsors? Choose all "
                "that apply.",
                Opt("Variance against the baseline in days", "Yes.", correct=True),
                Opt("What you are doing about it", "Yes.", correct=True),
                Opt("Decisions you need from them", "Yes.", correct=True),
                Opt(
                    "Every activity's percent complete",
                    "No: too much detail hides the message.",
                ),
                outcomes=(4,),
            ),
            true_false(
                "A baseline should be updated every time the schedule changes.",
                False,
                outcomes=(4,),
                right="Right: the baseline is what you measure variance "
                "against; re-baseline only by an approved change.",
                wrong="If it moved with every change, variance would vanish.",
            ),
            short(
                "Path A takes 12 days, path B 15 days and path C 9 days. How "
                "many days is the project? (a number)",
                "15",
                outcomes=(3,),
            ),
            scenario(
                "Halfway through, the design review is 5 days late and it is "
                "on the critical path. The sponsor meets you tomorrow.",
                "What do you tell the sponsor?",
                Opt(
                    "The 5-day variance, its cause, two recovery options and "
                    "the decision you need",
                    "Right: plain, early, actionable.",
                    correct=True,
                    consequence="The sponsor approves overtime for one task; "
                    "the end date holds.",
                ),
                Opt(
                    "That everything is on track",
                    "Hiding a critical slip costs trust later.",
                    consequence="The slip surfaces a month later and can no "
                    "longer be recovered.",
                ),
                Opt(
                    "The full Gantt chart with 140 activities",
                    "Detail without a message leaves the sponsor to guess.",
                    consequence="The meeting ends without a decision.",
                ),
                outcomes=(4,),
            ),
            project(
                "For a small project of your own: a WBS down to work "
                "packages, three-point estimates with their assumptions, and "
                "a network diagram showing the critical path.",
                criterion(
                    1,
                    "Work breakdown",
                    "Mixes deliverables and activities, or work packages are "
                    "too large.",
                    "Deliverables broken down into assignable work packages.",
                    "Complete and clearly scoped, with nothing left implicit.",
                ),
                criterion(
                    2,
                    "Estimates and assumptions",
                    "Single-point estimates or no assumptions.",
                    "Three-point estimates with stated assumptions.",
                    "Also identifies the assumptions that matter most.",
                ),
                criterion(
                    3,
                    "Critical path",
                    "Dependencies or critical path wrong.",
                    "Correct network, critical path and float.",
                    "Also explains how to protect the critical path.",
                ),
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------
# COM-105 Communication interculturelle (en français)
# ---------------------------------------------------------------------------

COM_105 = (
    AssessmentSpec(
        kind=DIAGNOSTIC,
        title="Par où commencer : communication interculturelle",
        instructions=FR_DIAGNOSTIC,
        questions=(
            single(
                "Laquelle est une dimension culturelle de la communication ?",
                Opt(
                    "Le degré de communication implicite ou explicite",
                    "Exact.",
                    correct=True,
                ),
                Opt("La couleur préférée", "Ce n'est pas une dimension culturelle."),
                Opt("La taille de l'équipe", "Cela ne relève pas de la culture."),
                outcomes=(1,),
            ),
            true_false(
                "« Il est arrivé en retard » est une interprétation.",
                False,
                outcomes=(2,),
                right="Exact : c'est un fait observable.",
                wrong="C'est un fait ; « il manque de respect » serait une "
                "interprétation.",
                lang="fr",
            ),
            single(
                "Comment donner une critique à une personne habituée à une "
                "rétroaction indirecte ?",
                Opt(
                    "En privé, avec des nuances et du contexte", "Exact.", correct=True
                ),
                Opt(
                    "Devant l'équipe, sans détour",
                    "Cela risque de lui faire perdre la face.",
                ),
                Opt("Ne rien dire", "Elle ne pourra pas progresser."),
                outcomes=(4,),
            ),
        ),
    ),
    AssessmentSpec(
        kind=FORMATIVE,
        title="Vérifiez votre compréhension : la culture et nos échanges",
        instructions=FR_FORMATIVE,
        module=1,
        questions=(
            single(
                "Dans une culture à contexte fort, le sens repose surtout sur…",
                Opt("Le contexte et la relation", "Exact.", correct=True),
                Opt("Les mots exacts", "C'est le cas à contexte faible."),
                Opt("Les documents écrits", "Pas d'abord."),
                outcomes=(1,),
            ),
            true_false(
                "Une dimension culturelle décrit chaque individu d'un pays.",
                False,
                outcomes=(1,),
                right="Exact : elle décrit des tendances, pas des personnes.",
                wrong="Les dimensions décrivent des tendances de groupe.",
                lang="fr",
            ),
            multiple(
                "Lesquelles sont des dimensions culturelles vues dans ce "
                "module ? Choisissez toutes les bonnes réponses.",
                Opt("Contexte fort ou faible", "Oui.", correct=True),
                Opt("Rapport à la hiérarchie", "Oui.", correct=True),
                Opt("Rapport au temps", "Oui.", correct=True),
                Opt("Goûts musicaux", "Non."),
                outcomes=(1,),
            ),
        ),
    ),
    AssessmentSpec(
        kind=SUMMATIVE,
        title="Évaluation finale : communication interculturelle",
        instructions=FR_SUMMATIVE,
        rubric_title="Grille : message reformulé et rétroaction",
        questions=(
            single(
                "Un collègue répond « c'est intéressant, on y réfléchira ». "
                "Dans une culture à contexte fort, cela signifie souvent…",
                Opt("Une réserve polie, peut-être un refus", "Exact.", correct=True),
                Opt("Un accord enthousiaste", "Le message implicite est plus réservé."),
                Opt("Qu'il n'a pas compris", "Rien ne l'indique."),
                outcomes=(1,),
            ),
            single(
                "Lequel est un fait observé, sans interprétation ?",
                Opt(
                    "Elle n'a pas posé de question pendant la réunion",
                    "Exact : c'est observable.",
                    correct=True,
                ),
                Opt("Elle n'était pas intéressée", "C'est une interprétation."),
                Opt("Elle était timide", "C'est une interprétation."),
                outcomes=(2,),
            ),
            multiple(
                "Pour reformuler un message destiné à un interlocuteur à "
                "contexte fort, que faire ? Choisissez toutes les bonnes "
                "réponses.",
                Opt("Établir d'abord la relation", "Oui.", correct=True),
                Opt("Donner le contexte avant la demande", "Oui.", correct=True),
                Opt("Adoucir les formulations directes", "Oui.", correct=True),
                Opt(
                    "Supprimer toute demande précise",
                    "Non : la demande doit rester claire.",
                ),
                outcomes=(3,),
            ),
            true_false(
                "Une même rétroaction convient à toutes les cultures si elle "
                "est sincère.",
                False,
                outcomes=(4,),
                right="Exact : la forme compte autant que l'intention.",
                wrong="La sincérité ne suffit pas ; adaptez la forme.",
                lang="fr",
            ),
            short(
                "Comment appelle-t-on une culture où le sens passe surtout "
                "par les mots explicites ? (contexte …)",
                "faible",
                "contexte faible",
                outcomes=(1,),
            ),
            scenario(
                "Vous dirigez une réunion avec une équipe partenaire. Un "
                "participant ne dit rien quand vous demandez des objections, "
                "puis envoie ses réserves par courriel à votre directrice.",
                "Que faites-vous ?",
                Opt(
                    "L'appeler en privé pour comprendre et prévoir un autre "
                    "canal pour les objections",
                    "Exact : observer, puis adapter le canal.",
                    correct=True,
                    consequence="Il explique qu'objecter en public serait "
                    "impoli chez lui ; un tour écrit est ajouté aux réunions.",
                ),
                Opt(
                    "Lui reprocher de contourner la réunion",
                    "Vous jugez sans comprendre la norme en jeu.",
                    consequence="Il ne partage plus ses réserves.",
                ),
                Opt(
                    "Ignorer le courriel",
                    "Le problème reste entier.",
                    consequence="Le projet prend du retard sur un point qu'il "
                    "avait vu.",
                ),
                outcomes=(2, 3),
            ),
            project(
                "Reformulez un message professionnel réel pour un "
                "interlocuteur d'une autre culture, puis rédigez la "
                "rétroaction que vous lui donneriez sur un travail. "
                "Expliquez vos choix.",
                criterion(
                    3,
                    "Message reformulé",
                    "Le message n'est pas adapté aux normes de l'interlocuteur.",
                    "Le message est adapté et reste clair.",
                    "Les choix d'adaptation sont justifiés avec précision.",
                    lang="fr",
                ),
                criterion(
                    4,
                    "Rétroaction adaptée",
                    "La rétroaction ignore le contexte culturel.",
                    "La rétroaction est adaptée au contexte culturel.",
                    "Elle anticipe aussi la réaction de la personne.",
                    lang="fr",
                ),
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------
# Module checks beyond module 1: one per module that teaches an outcome the
# diagnostic assesses, so the diagnostic's "focus on" suggestions can point to
# modules. Two questions each, every option with feedback.
# ---------------------------------------------------------------------------


def module_check(
    title: str, module: int, *questions: Question, lang: str = "en"
) -> AssessmentSpec:
    return AssessmentSpec(
        kind=FORMATIVE,
        title=title,
        instructions=FR_FORMATIVE if lang == "fr" else EN_FORMATIVE,
        module=module,
        questions=questions,
    )


DATA_101_CHECKS = (
    module_check(
        "Check your understanding: reading numbers and charts",
        2,
        single(
            "A bar chart's axis starts at 95 instead of 0. What is the risk?",
            Opt(
                "Small differences look large",
                "Right: a truncated axis exaggerates the gaps between bars.",
                correct=True,
            ),
            Opt(
                "The bars become harder to read",
                "Readability is not the issue: the proportions are distorted.",
            ),
            Opt(
                "Nothing: only the labels change",
                "The bar lengths no longer compare the values fairly.",
            ),
            outcomes=(2,),
        ),
        true_false(
            "A rise from 2% to 3% is a 1 percentage point rise and a 50% rise.",
            True,
            outcomes=(2,),
            right="Right: points compare levels, percent compares the change.",
            wrong="Both are true: 3 - 2 = 1 point, and 1 is half of 2.",
        ),
    ),
    module_check(
        "Check your understanding: where the data comes from",
        3,
        single(
            "A satisfaction survey was answered by 12% of customers. What do "
            "you ask first?",
            Opt(
                "Who answered, and who did not",
                "Right: the people who reply often differ from those who don't.",
                correct=True,
            ),
            Opt(
                "What the average score was",
                "The average of a skewed sample can mislead; check who replied.",
            ),
            Opt(
                "Which tool ran the survey",
                "The tool matters less than who chose to answer.",
            ),
            outcomes=(3,),
        ),
        true_false(
            "Missing rows in a dataset can be ignored if they are few.",
            False,
            outcomes=(3,),
            right="Right: even a few missing rows can share a cause that biases "
            "the rest.",
            wrong="Not always: ask why they are missing before you ignore them.",
        ),
    ),
    module_check(
        "Check your understanding: correlation and causation",
        4,
        single(
            "Ice cream sales and sunburns rise together. The likeliest explanation?",
            Opt(
                "Sunny weather drives both",
                "Right: a third factor explains both figures.",
                correct=True,
            ),
            Opt(
                "Ice cream causes sunburn",
                "The figures move together, but nothing shows one causes the other.",
            ),
            Opt(
                "Sunburn makes people buy ice cream",
                "Possible in theory, but a shared cause is far likelier.",
            ),
            outcomes=(4,),
        ),
        true_false(
            "A controlled trial is a stronger test of cause than a correlation.",
            True,
            outcomes=(4,),
            right="Right: changing one thing on purpose isolates its effect.",
            wrong="It is stronger: a trial changes one factor and holds the rest.",
        ),
    ),
)

PSY_110_CHECKS = (
    module_check(
        "Check your understanding: reading your team's climate",
        2,
        single(
            "Which signal best shows that a team feels safe to speak up?",
            Opt(
                "Bad news reaches the leader early",
                "Right: early bad news is the clearest observable signal.",
                correct=True,
            ),
            Opt(
                "Meetings are always friendly",
                "Friendliness can hide silence; look for candour instead.",
            ),
            Opt(
                "Nobody disagrees in meetings",
                "Silence is more often a warning sign than a good one.",
            ),
            outcomes=(2,),
        ),
        true_false(
            "You need a survey to judge your team's climate.",
            False,
            outcomes=(2,),
            right="Right: everyday behaviours show it without a survey.",
            wrong="Observable behaviours, such as who speaks and when, tell you a lot.",
        ),
    ),
    module_check(
        "Check your understanding: responding when someone speaks up",
        3,
        single(
            "A colleague reports their own mistake. What do you say first?",
            Opt(
                "Thank them for raising it",
                "Right: appreciation first keeps people reporting.",
                correct=True,
            ),
            Opt(
                "Ask why they did not catch it sooner",
                "Blame first teaches people to stay quiet next time.",
            ),
            Opt(
                "Fix it yourself without comment",
                "Silence wastes the chance to reward speaking up.",
            ),
            outcomes=(3,),
        ),
        true_false(
            "Thanking someone for raising a mistake means there are no consequences.",
            False,
            outcomes=(3,),
            right="Right: you can appreciate the report and still hold standards.",
            wrong="Appreciation and accountability go together.",
        ),
    ),
)

CYB_101_CHECKS = (
    module_check(
        "Check your understanding: passwords and multi-factor authentication",
        2,
        single(
            "Which protects an account best?",
            Opt(
                "A unique passphrase from a password manager, plus MFA",
                "Right: unique secrets and a second factor block most takeovers.",
                correct=True,
            ),
            Opt(
                "A complex password reused on a few sites",
                "Reuse means one breach opens every account.",
            ),
            Opt(
                "A password changed every month",
                "Frequent changes do not help if the password is reused.",
            ),
            outcomes=(2,),
        ),
        true_false(
            "An authenticator app is a stronger second factor than a text message.",
            True,
            outcomes=(2,),
            right="Right: text messages can be redirected by SIM swapping.",
            wrong="It is stronger: codes by text can be intercepted.",
        ),
    ),
    module_check(
        "Check your understanding: phishing and social engineering",
        3,
        single(
            "An e-mail from “IT” asks you to confirm your password within an "
            "hour. What do you do?",
            Opt(
                "Report it with the phishing button and do not reply",
                "Right: urgency plus a request for secrets is a classic sign.",
                correct=True,
            ),
            Opt(
                "Reply to ask whether it is genuine",
                "Replying confirms your address to the sender; report it instead.",
            ),
            Opt(
                "Click the link to check where it goes",
                "Even a click can be enough; report it without opening.",
            ),
            outcomes=(3,),
        ),
        true_false(
            "A message from a known colleague's address can still be phishing.",
            True,
            outcomes=(3,),
            right="Right: accounts get compromised and addresses spoofed.",
            wrong="It can: check unusual requests through another channel.",
        ),
    ),
    module_check(
        "Check your understanding: when something goes wrong",
        5,
        single(
            "You clicked a suspicious link and entered your password. First step?",
            Opt(
                "Report it at once and change the password from another device",
                "Right: speed limits the damage; the security team can act.",
                correct=True,
            ),
            Opt(
                "Wait to see whether anything happens",
                "Waiting gives an attacker time; report it now.",
            ),
            Opt(
                "Delete the e-mail so nobody else clicks",
                "Deleting removes evidence the team needs; report it first.",
            ),
            outcomes=(5,),
        ),
        true_false(
            "Reporting your own mistake quickly is part of incident response.",
            True,
            outcomes=(5,),
            right="Right: the first hour matters most.",
            wrong="It is: early reports let the team contain the incident.",
        ),
    ),
)

PRJ_120_CHECKS = (
    module_check(
        "Check your understanding: dependencies and the critical path",
        2,
        single(
            "What is the critical path?",
            Opt(
                "The longest chain of dependent activities",
                "Right: it sets the earliest possible end date.",
                correct=True,
            ),
            Opt(
                "The activities with the most risk",
                "Risk matters, but the critical path is about duration.",
            ),
            Opt(
                "The activities the sponsor cares about most",
                "Importance is not the criterion; zero float is.",
            ),
            outcomes=(3,),
        ),
        true_false(
            "Delaying an activity with float never delays the project.",
            False,
            outcomes=(3,),
            right="Right: only up to its float; beyond that the end date moves.",
            wrong="Only within its float: a longer delay moves the end date.",
        ),
    ),
    module_check(
        "Check your understanding: estimating honestly",
        3,
        single(
            "Optimistic 4 days, most likely 6, pessimistic 14. What is the "
            "three-point (PERT) estimate?",
            Opt(
                "7 days",
                "Right: (4 + 4 × 6 + 14) / 6 = 7.",
                correct=True,
            ),
            Opt("6 days", "That is the most likely value, not the estimate."),
            Opt("8 days", "That is the plain average of the three values."),
            outcomes=(2,),
        ),
        true_false(
            "An estimate should state the assumptions it rests on.",
            True,
            outcomes=(2,),
            right="Right: assumptions show when an estimate needs revisiting.",
            wrong="It should: without them nobody knows when it stops holding.",
        ),
    ),
)

COM_105_CHECKS = (
    module_check(
        "Vérifiez votre compréhension : observer avant d'interpréter",
        2,
        single(
            "Lequel de ces énoncés est un fait observé ?",
            Opt(
                "Il a répondu à mon courriel trois jours plus tard",
                "Exact : c'est observable et vérifiable.",
                correct=True,
            ),
            Opt(
                "Il ne respecte pas les délais",
                "C'est une interprétation du fait.",
            ),
            Opt("Il n'est pas motivé", "C'est un jugement, pas une observation."),
            outcomes=(2,),
        ),
        true_false(
            "Un même comportement peut avoir des sens différents selon la culture.",
            True,
            outcomes=(2,),
            right="Exact : d'où l'importance de décrire avant d'interpréter.",
            wrong="Si : le silence, par exemple, n'a pas partout le même sens.",
            lang="fr",
        ),
        lang="fr",
    ),
    module_check(
        "Vérifiez votre compréhension : la rétroaction entre cultures",
        4,
        single(
            "Votre collègue vient d'une culture où la critique se fait en "
            "privé. Comment donner votre rétroaction ?",
            Opt(
                "En tête-à-tête, en commençant par le contexte",
                "Exact : vous respectez la norme sans édulcorer le message.",
                correct=True,
            ),
            Opt(
                "En réunion, pour que tout le monde en profite",
                "Une critique publique risque de faire perdre la face.",
            ),
            Opt(
                "Ne rien dire pour éviter le malaise",
                "Le problème reste entier ; adaptez la forme, pas le fond.",
            ),
            outcomes=(4,),
        ),
        true_false(
            "Adapter la forme d'une rétroaction veut dire en changer le fond.",
            False,
            outcomes=(4,),
            right="Exact : la forme s'adapte, le message reste clair.",
            wrong="Non : on adapte la manière, pas ce qui doit être dit.",
            lang="fr",
        ),
        lang="fr",
    ),
)


COURSE_ASSESSMENTS: dict[str, tuple[AssessmentSpec, ...]] = {
    "DATA-101": DATA_101 + DATA_101_CHECKS,
    "PSY-110": PSY_110 + PSY_110_CHECKS,
    "CYB-101": CYB_101 + CYB_101_CHECKS,
    "PRJ-120": PRJ_120 + PRJ_120_CHECKS,
    "COM-105": COM_105 + COM_105_CHECKS,
}

# The second demo learner's first summative attempt: every auto-graded item
# answered wrong, the project answered in text, waiting in the grading queue.
LEARNER2_COURSE = "DATA-101"
LEARNER2_REGISTERED_DAYS_AGO = 20
LEARNER2_SUBMITTED_DAYS_AGO = 2
LEARNER2_PROJECT_TEXT = (
    "Decision: whether to move the monthly team meeting online.\n\n"
    "Recommendation: move it online.\n\n"
    "Indicators: attendance (it seems fine now); how people feel about it.\n\n"
    "I think people will like it more because it saves travel time."
)
