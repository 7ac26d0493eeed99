"""The demo institution's content, as data; ``manage.py seed_demo`` loads it.

Everything here is plain, immutable data so the loader can compare it with
what is in the database and write only what differs. Files named in
``captions`` and ``resource`` live in ``static/demo/`` and are copied into
MEDIA_ROOT by the loader. Dates are computed at run time by the loader, never
here.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from decimal import Decimal

from microcred.roles import Role

from .models import DeliveryMode, ItemKind, Language, Level

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for people to try the demo
DEMO_EMAIL_DOMAIN = "demo.microcred.test"

# A short, CC0-licensed sample clip (MDN's interactive examples). The lesson
# itself is carried by the captions and transcript, which is what
# low-bandwidth mode shows instead of the video.
SAMPLE_VIDEO_URL = (
    "https://interactive-examples.mdn.mozilla.net/media/cc0-videos/flower.mp4"
)


def md(text: str) -> str:
    """Markdown written indented in this file, dedented and trimmed."""
    return textwrap.dedent(text).strip() + "\n"


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    key: str
    email: str
    legal_name: str
    display_name: str
    role: Role | None = None
    superuser: bool = False
    time_zone: str = "America/Toronto"
    preferred_language: str = "en"
    try_this: str = ""

    @property
    def is_staff(self) -> bool:
        return self.superuser or self.role is not None


@dataclass(frozen=True)
class Choice:
    text: str
    consequence: str
    feedback: str
    recommended: bool = False


@dataclass(frozen=True)
class Item:
    kind: str
    title: str
    minutes: int
    body: str = ""
    video_url: str = ""
    captions: str = ""
    transcript: str = ""
    resource: str = ""
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Module:
    title: str
    summary: str
    items: tuple[Item, ...]

    @property
    def minutes(self) -> int:
        return sum(item.minutes for item in self.items)


@dataclass(frozen=True)
class Quote:
    author_name: str
    author_role: str
    quote: str
    approved: bool = True


@dataclass(frozen=True)
class Course:
    code: str
    slug: str
    title: str
    summary: str
    description: str
    language: str
    level: str
    delivery_mode: str
    time_commitment_hours: int
    completion_window_days: int
    credential_name: str
    credential_value: str
    owner: str
    outcomes: tuple[str, ...]
    modules: tuple[Module, ...]
    testimonials: tuple[Quote, ...] = ()
    co_instructors: tuple[str, ...] = ()
    credit_value: Decimal | None = None
    credit_institution: str = ""
    review_cycle_months: int = 12
    publish: bool = True
    feedback_turnaround_days: int = 7
    resubmission_days: int = 7
    plar_offered: bool = False
    plar_window_days: int = 30

    @property
    def module_minutes(self) -> int:
        return sum(module.minutes for module in self.modules)


@dataclass(frozen=True)
class PathwaySpec:
    code: str
    slug: str
    title: str
    summary: str
    members: tuple[str, ...]
    required_count: int | None = None


@dataclass(frozen=True)
class ScheduledOffering:
    course: str
    label: str
    starts_in_days: int
    capacity: int | None = None
    is_open: bool = True


@dataclass(frozen=True)
class LearnerProgress:
    """What the demo learner has done in one course, on the first run only."""

    course: str
    registered_days_ago: int
    completed_items: int
    reflection: str = ""
    scenario_choice: int | None = None


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


def _email(local: str) -> str:
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


ACCOUNTS: tuple[Account, ...] = (
    Account(
        key="learner",
        email=_email("learner"),
        legal_name="Jordan Alexis Tremblay",
        display_name="Jordan",
        try_this="2 courses in progress; My credentials: 1 valid, 1 revoked",
    ),
    Account(
        key="learner2",
        email=_email("learner2"),
        legal_name="Morgan Lee Chen",
        display_name="Morgan",
        try_this=(
            "DATA-101: attempt 1 submitted, awaiting grading; "
            "CYB-101: PLAR request pending"
        ),
    ),
    Account(
        key="candidate",
        email=_email("candidate"),
        legal_name="Elena Sofia Marchetti",
        display_name="Elena",
        try_this="PLAR approved for DATA-101: take the summative directly",
    ),
    Account(
        key="instructor",
        email=_email("instructor"),
        legal_name="Amara Okafor",
        display_name="Dr. Amara Okafor",
        role=Role.INSTRUCTOR,
    ),
    Account(
        key="instructor2",
        email=_email("instructor2"),
        legal_name="Luc Gagnon",
        display_name="Luc Gagnon",
        role=Role.INSTRUCTOR,
        preferred_language="fr",
        time_zone="America/Montreal",
    ),
    Account(
        key="registrar",
        email=_email("registrar"),
        legal_name="Priya Raman",
        display_name="Priya Raman",
        role=Role.REGISTRAR,
        try_this=(
            "bulk jobs (/registrar/bulk/: a DATA-101 cohort waits for its "
            "credentials), offerings, extensions, withdrawals, revocations"
        ),
    ),
    Account(
        key="admin",
        email=_email("admin"),
        legal_name="Sam Whitfield",
        display_name="Sam Whitfield",
        role=Role.ADMIN,
        superuser=True,
        try_this="superuser: everything, including roles",
    ),
)


# ---------------------------------------------------------------------------
# Microcredentials
# ---------------------------------------------------------------------------

DATA_LITERACY = Course(
    code="DATA-101",
    slug="data-literacy-for-decision-makers",
    title="Data Literacy for Decision Makers",
    summary=(
        "Ask sharper questions of data, read charts and statistics critically, "
        "and turn evidence into a clear, honest recommendation."
    ),
    description=md(
        """
        Managers are handed dashboards every week, but few were taught how to
        question them. This microcredential is for people who **use** data to
        decide, not for analysts: no coding, no formulas beyond a percentage.

        You will work with a small, realistic dataset of service requests from
        three regions and finish with a one-page decision brief that a senior
        leader could act on.

        **Who it is for:** team leads, managers and professionals who read
        reports and make or recommend decisions.
        """
    ),
    language=Language.ENGLISH,
    level=Level.INTRODUCTORY,
    delivery_mode=DeliveryMode.SELF_PACED,
    time_commitment_hours=11,
    completion_window_days=42,
    plar_offered=True,
    credential_name="Data Literacy for Decision Makers — Digital Badge",
    credential_value=md(
        """
        Shows employers that you can question data before acting on it and
        communicate a recommendation with its uncertainty. Counts as one of
        three microcredentials toward the Certificate in Data-Informed
        Operations, and as one option toward the Certificate in People
        Leadership.
        """
    ),
    owner="instructor",
    outcomes=(
        "Formulate a workplace decision as two to three measurable indicators, "
        "each with a baseline, a target and a data source.",
        "Interpret averages, medians, percentages and common charts, and "
        "identify at least three ways each can mislead.",
        "Evaluate a dataset's provenance, completeness and likely bias before "
        "relying on it.",
        "Distinguish correlation from causation in a workplace analysis and "
        "explain the difference to a non-specialist.",
        "Write a one-page decision brief that states a recommendation, the "
        "evidence behind it and its main uncertainty.",
    ),
    modules=(
        Module(
            title="From decision to question",
            summary="Turn a vague concern into indicators you can measure.",
            items=(
                Item(
                    kind=ItemKind.VIDEO,
                    title="Why good decisions start with a question",
                    minutes=10,
                    video_url=SAMPLE_VIDEO_URL,
                    captions="data-literacy-questions.en.vtt",
                    transcript=md(
                        """
                        Most bad data decisions don't start with bad data. They
                        start with a vague question. "How are we doing?" can't
                        be answered. "Did wait times drop after we changed the
                        intake form?" can.

                        In this module you will turn a decision you actually
                        face into two or three indicators you can measure. For
                        each one, you'll write down a baseline, a target, and
                        where the numbers will come from. Then you'll check
                        whether those numbers would really change what you
                        decide.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.READING,
                    title="Indicators: baseline, target, source",
                    minutes=45,
                    body=md(
                        """
                        ## From a concern to an indicator

                        A decision question names **what would change your
                        mind**. An indicator is a number that answers it.

                        | Concern | Decision question | Indicator |
                        |---|---|---|
                        | Clients unhappy | Add weekend staff? | % resolved in 5 days |
                        | New form failing | Keep the new form? | Median days to reply |

                        ### Three parts of every indicator

                        1. **Baseline**: the value today, or over the last
                           quarter. Without it, "12%" means nothing.
                        2. **Target**: the value at which you would act.
                           Write it down *before* you see new data.
                        3. **Source**: the system, report or survey, and who
                           owns it.

                        ### Checks before you commit

                        - Would a different value lead to a different
                          decision? If not, drop the indicator.
                        - Can it be gamed? (Closing requests early improves
                          "resolved within 5 days".) Pair it with a
                          *balancing* indicator such as reopened requests.
                        - How often is it updated, and how late?

                        > **Try it:** pick one decision you face this month and
                        > draft two indicators with all three parts.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="Your decision, your indicators",
                    minutes=30,
                    body=md(
                        """
                        Describe a decision you will make or recommend in the
                        next three months. Then write two indicators for it,
                        each with a baseline, a target and a source.

                        Which of the two would you drop if you could only
                        track one, and why?
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Reading numbers and charts critically",
            summary="Averages, percentages and charts, and how each misleads.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Averages, medians and the missing denominator",
                    minutes=50,
                    body=md(
                        """
                        ## Which "typical" value?

                        The **mean** adds everything and divides; one extreme
                        case drags it. The **median** is the middle value and
                        ignores extremes. For waiting times, salaries and
                        costs, ask for the median first.

                        ## Percentages need a denominator

                        "Complaints rose 50%" may mean 2 became 3. Always ask:
                        *percentage of what, out of how many?* Compare **rates**
                        (complaints per 1,000 requests), not raw counts, when
                        volumes differ.

                        ## Five chart traps

                        - A **truncated y-axis** makes small changes look huge.
                        - **Dual axes** let the author line up any two trends.
                        - **Cumulative** charts only ever go up.
                        - **Cherry-picked** start dates hide seasonality.
                        - **3-D and area** effects distort proportions.

                        > **Try it:** open the sample dataset (module 3) and
                        > compute resolved requests *as a share of* requests
                        > received for each region in March. Which region
                        > resolves the most requests, and which the highest
                        > share?
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.CASE_STUDY,
                    title="Case: the dashboard that cried wolf",
                    minutes=60,
                    body=md(
                        """
                        ## The situation

                        A regional director receives a monthly dashboard. In
                        March the chart of **median days to resolve** for the
                        North region jumps from 6.0 to 7.5, drawn on an axis
                        starting at 5.5 so the bar appears to quadruple. The
                        director drafts an e-mail asking the North manager to
                        explain the "collapse in performance".

                        The same month, North had one fewer staff member on
                        duty (8 instead of 9) and received 455 requests, its
                        highest volume of the half-year.

                        ## Questions

                        1. What, precisely, does the chart show, and what does
                           its design suggest?
                        2. Which other figures would you look at before writing
                           to the manager?
                        3. Rewrite the director's e-mail so it asks a fair
                           question instead of drawing a conclusion.

                        Use the figures in *regional-service-requests.csv*
                        (module 3) to support your answers.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.SCENARIO,
                    title="Scenario: the survey result before the board meeting",
                    minutes=25,
                    body=md(
                        """
                        An hour before a board meeting, a colleague sends you a
                        slide: **"92% of clients satisfied with the new
                        portal"**. The footnote says the survey was e-mailed to
                        clients who had logged in to the portal at least five
                        times; 48 of 400 responded.

                        You are presenting next. What do you do with the slide?
                        """
                    ),
                    choices=(
                        Choice(
                            text="Present the slide as it is; it is the best "
                            "figure you have.",
                            consequence="A board member asks how many clients "
                            "answered. You have to admit 48, all frequent "
                            "users. The discussion turns to the survey, not "
                            "the portal.",
                            feedback="The figure describes enthusiastic users, "
                            "not clients. Presenting it unqualified cost you "
                            "credibility you will need later.",
                        ),
                        Choice(
                            text="Keep the slide but state who was asked and how "
                            "many answered, and call the result encouraging but "
                            "not representative.",
                            consequence="The board takes the result as an early "
                            "signal and asks for a broader survey next quarter. "
                            "Your recommendation stands.",
                            feedback="Right call: the evidence is shown with its "
                            "limits, so the decision can use it without "
                            "overreaching.",
                            recommended=True,
                        ),
                        Choice(
                            text="Drop the slide entirely.",
                            consequence="Nobody questions the portal, but a "
                            "colleague later asks why the survey was not "
                            "mentioned when it was positive.",
                            feedback="Removing imperfect evidence is not the same "
                            "as being careful. Say what it does and does not "
                            "show.",
                        ),
                    ),
                ),
            ),
        ),
        Module(
            title="Where the data comes from",
            summary="Provenance, completeness and bias, with a real dataset.",
            items=(
                Item(
                    kind=ItemKind.RESOURCE,
                    title="Sample dataset: regional service requests",
                    minutes=15,
                    resource="regional-service-requests.csv",
                    body=md(
                        """
                        Six months of service requests from three regions:
                        requests received and resolved, median days to
                        resolve, staff on duty and client satisfaction. Open
                        it in any spreadsheet program. You will use it in the
                        case studies and in your decision brief.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.READING,
                    title="Five questions to ask of any dataset",
                    minutes=45,
                    body=md(
                        """
                        ## Before you trust a number

                        1. **Who collected it, and why?** Data gathered for
                           billing describes billing, not service.
                        2. **What is missing?** Requests made by phone may
                           never reach the system. Count the blanks.
                        3. **How was it defined?** Does "resolved" mean fixed,
                           or closed?
                        4. **When was it captured?** A month-end snapshot can
                           hide mid-month spikes.
                        5. **Who is not in it?** People who gave up waiting
                           never appear as "unsatisfied".

                        ## Survivorship and selection

                        Data often comes only from those who *made it through*
                        a process. Satisfaction surveys sent at closure miss
                        the clients whose requests were never closed.

                        > **Try it:** answer the five questions for the sample
                        > dataset. Which answer worries you most?
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="A number you relied on",
                    minutes=20,
                    body=md(
                        """
                        Think of a figure you relied on recently at work. Answer
                        the five questions for it. Would you still rely on it in
                        the same way?
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Correlation, causation and uncertainty",
            summary="What a relationship in data can and cannot tell you.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="When two things move together",
                    minutes=50,
                    body=md(
                        """
                        ## Correlation is a pattern, not a reason

                        In the sample data, months with more staff on duty
                        tend to have shorter resolution times within the same
                        region. Tempting conclusion: *adding
                        staff speeds things up*. Perhaps. But also consider:

                        - **Reverse direction**: North was given more staff
                          in April *because* March was slow.
                        - **A third factor**: a new intake process, or simpler
                          requests in some months, could explain both.
                        - **Chance**: six months and three regions is very few
                          data points.

                        ## How to say it

                        Say "is associated with", not "causes", unless you ran
                        a fair comparison (a pilot with a comparison group, or
                        a before-and-after with a stable baseline).

                        ## State your uncertainty

                        A recommendation is more useful with an honest range:
                        "We expect 5 to 15 fewer days of backlog; below 5 the
                        cost is not worth it." Decision makers can work with
                        uncertainty; they cannot work with false precision.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.CASE_STUDY,
                    title='Case: the training that "worked"',
                    minutes=60,
                    body=md(
                        """
                        ## The situation

                        An organisation offered an optional customer-service
                        course. Six months later, staff who took it have 20%
                        higher satisfaction scores than those who did not. HR
                        proposes making the course mandatory for everyone.

                        ## Questions

                        1. List two explanations for the difference other than
                           "the course works".
                        2. What comparison would give stronger evidence?
                        3. Write two sentences for the HR director that
                           support a decision without overstating the evidence.
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="The decision brief",
            summary="Bring it together in one page a leader can act on.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Anatomy of a one-page decision brief",
                    minutes=40,
                    body=md(
                        """
                        ## Structure

                        1. **Decision needed** — one sentence, with a date.
                        2. **Recommendation** — what you propose, first.
                        3. **Evidence** — two or three indicators, each with
                           baseline and current value; one chart at most.
                        4. **Uncertainty and risks** — what could make you
                           wrong, and how you would notice.
                        5. **Next check** — when the indicators will be
                           reviewed, and what result would change course.

                        ## Style

                        - Lead with the answer; the reader may stop after
                          three lines.
                        - Round numbers ("about 1 in 5") unless precision
                          matters.
                        - Label every chart axis and start bar charts at zero.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="Draft your brief",
                    minutes=90,
                    body=md(
                        """
                        Using the sample dataset or your own data, draft a
                        decision brief following the five-part structure. Paste
                        it here; only you can see it. You will refine it for the
                        summative assessment.
                        """
                    ),
                ),
            ),
        ),
    ),
    testimonials=(
        Quote(
            "Fatima Haddad",
            "Operations manager, municipal services",
            "I stopped forwarding dashboards with a one-line reaction. Now I ask "
            "for the denominator first, and my team has noticed.",
        ),
        Quote(
            "Daniel Osei",
            "Program coordinator, community health",
            "The decision brief format is now our standard for budget requests. "
            "Short, honest about uncertainty, and leaders read it.",
        ),
        Quote(
            "Marie-Claude Bérubé",
            "Analyst, regional transit authority",
            "Useful even for someone who works with data daily: the case studies "
            "are exactly the conversations I have with managers.",
        ),
    ),
)


PSYCHOLOGICAL_SAFETY = Course(
    code="PSY-110",
    slug="workplace-psychological-safety",
    title="Workplace Psychological Safety",
    summary=(
        "Build a team where people raise problems, questions and ideas early, "
        "and respond to them in ways that keep them coming."
    ),
    description=md(
        """
        Teams learn fastest when people speak up about mistakes, risks and
        ideas. This microcredential gives leads and team members practical
        routines to make that normal, grounded in research on team learning
        and in the Canadian National Standard for psychological health and
        safety in the workplace.

        Delivered as a blend: self-paced modules online, plus an optional
        live practice session with your cohort.
        """
    ),
    language=Language.ENGLISH,
    level=Level.INTERMEDIATE,
    delivery_mode=DeliveryMode.BLENDED,
    time_commitment_hours=7,
    completion_window_days=42,
    plar_offered=True,
    credential_name="Workplace Psychological Safety — Digital Badge",
    credential_value=md(
        """
        Recognises that you can assess a team's climate for speaking up and
        lead concrete routines to improve it. One of three options toward the
        Certificate in People Leadership.
        """
    ),
    owner="instructor",
    co_instructors=("instructor2",),
    outcomes=(
        "Explain psychological safety and distinguish it from comfort, "
        "niceness and low standards.",
        "Assess a team's climate for speaking up using observable behaviours.",
        "Respond to a raised concern or mistake in a way that rewards "
        "speaking up while keeping accountability.",
        "Design and run a recurring team routine that invites dissent and "
        "early warnings.",
    ),
    modules=(
        Module(
            title="What psychological safety is, and isn't",
            summary="The idea, the evidence, and common misunderstandings.",
            items=(
                Item(
                    kind=ItemKind.VIDEO,
                    title="Safety is not comfort",
                    minutes=12,
                    video_url=SAMPLE_VIDEO_URL,
                    transcript=md(
                        """
                        Psychological safety is a shared belief in a team that
                        it is safe to take interpersonal risks: to ask a
                        question, admit a mistake, or disagree with the boss.

                        It is not about being nice. Safe teams argue more, not
                        less, because people say what they think. And it is not
                        about lowering standards. The most effective teams
                        combine high safety with high standards: people are
                        held to demanding goals, and they can say when
                        something is getting in the way.

                        When safety is low, problems surface late, when they
                        are expensive. When it is high, they surface early,
                        when they are cheap.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.READING,
                    title="Safety and standards: the four zones",
                    minutes=40,
                    body=md(
                        """
                        ## Two dimensions

                        |  | **Low standards** | **High standards** |
                        |---|---|---|
                        | **High safety** | Comfort zone | Learning zone |
                        | **Low safety** | Apathy zone | Anxiety zone |

                        - **Anxiety zone**: demanding goals, but people hide
                          problems. Common in high-pressure teams.
                        - **Comfort zone**: pleasant, but little stretch.
                        - **Learning zone**: where the best teams work.

                        ## What the research says

                        Studies of hospital teams found that better teams
                        *reported more* errors, because they felt safe to
                        report them. Large studies of software teams found
                        psychological safety to be the strongest predictor of
                        team effectiveness.

                        > **Try it:** place your team in one of the four zones.
                        > What is one observable behaviour that made you choose
                        > it?
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="A time you stayed quiet",
                    minutes=25,
                    body=md(
                        """
                        Recall a moment at work when you had a concern or idea
                        and did not say it. What did you expect would happen if
                        you spoke? What would have needed to be different for
                        you to speak up?
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Reading your team's climate",
            summary="Observable signals, without a survey.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Signals to watch in meetings",
                    minutes=40,
                    body=md(
                        """
                        ## Behaviours you can observe

                        - **Who speaks, and in what order?** If juniors speak
                          only after the lead, they may be waiting for a
                          signal.
                        - **How are bad news and mistakes first mentioned?**
                          Early and plainly, or late and wrapped in excuses?
                        - **Questions to the lead:** are they clarifying, or
                          challenging too?
                        - **Silence after "any concerns?"** Silence is data,
                          rarely agreement.

                        ## A simple tally

                        For two weeks, after each team meeting, note: number
                        of concerns raised, by whom, and how the first
                        response sounded (curious, neutral, dismissive).
                        Patterns show up quickly.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.CASE_STUDY,
                    title="Case: the project nobody questioned",
                    minutes=55,
                    body=md(
                        """
                        ## The situation

                        A well-liked director launched a system migration with
                        a tight deadline. In weekly meetings every team reported
                        "green". Two weeks before go-live, a junior analyst
                        mentioned in a hallway that data conversion had never
                        been tested end to end. It had not. The launch slipped
                        three months.

                        Afterwards, several team members said they had doubts
                        for weeks, "but everyone else seemed confident".

                        ## Questions

                        1. Which signals of low psychological safety can you
                           find in this account?
                        2. What could the director have done in the weekly
                           meetings to surface the doubts earlier?
                        3. How should the director respond to the analyst now?
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Responding when someone speaks up",
            summary="The response decides whether people speak up again.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Appreciate, explore, act",
                    minutes=35,
                    body=md(
                        """
                        ## Three steps

                        1. **Appreciate**: thank the person for raising it,
                           specifically. ("Thanks for flagging this now rather
                           than after the deadline.")
                        2. **Explore**: ask before you judge. "What have you
                           seen? What do you think is behind it?"
                        3. **Act**: agree a next step with an owner and a date,
                           and close the loop publicly later.

                        ## Mistakes and accountability

                        Separate **blameless** errors (slips, system problems)
                        from **blameworthy** ones (reckless choices). Most are
                        blameless. Treating them as failures of character
                        teaches people to hide the next one.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.SCENARIO,
                    title="Scenario: the error in the client report",
                    minutes=25,
                    body=md(
                        """
                        A team member tells you, visibly nervous, that a report
                        sent to a client yesterday contains a calculation error
                        that overstates savings by about 8%. The client has not
                        noticed. The account is important and the relationship
                        is new.

                        How do you respond in the next five minutes?
                        """
                    ),
                    choices=(
                        Choice(
                            text='"How did this get past review? This is '
                            "exactly what we can't afford with this client.\"",
                            consequence="The error is corrected, but the team "
                            "member is shaken. Next month, a smaller problem is "
                            "found by the client first.",
                            feedback="Your first words set the price of speaking "
                            "up. The review question matters, but later and "
                            "about the process, not the person.",
                        ),
                        Choice(
                            text='"Thank you for telling me straight away. '
                            "Let's look at it together and decide how we tell "
                            'the client today."',
                            consequence="You correct the report and call the "
                            "client the same day. The client thanks you for the "
                            "transparency. Later, you and the team add a second "
                            "check to the template.",
                            feedback="Appreciate, explore, act: the error is "
                            "fixed quickly, trust with the client grows, and "
                            "the team learns that raising problems is valued.",
                            recommended=True,
                        ),
                        Choice(
                            text="\"The client hasn't noticed. Let's fix it in "
                            'the next quarterly report."',
                            consequence="The client's finance team finds the "
                            "discrepancy three weeks later and asks why it was "
                            "not disclosed.",
                            feedback="Hiding the error teaches the team that "
                            "problems are managed by silence, and risks the "
                            "client's trust.",
                        ),
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="Your first words",
                    minutes=20,
                    body=md(
                        """
                        Write the exact first sentence you would like to say the
                        next time someone brings you bad news. Then write the
                        sentence you are *likely* to say under pressure. What
                        will help you say the first?
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Routines that make speaking up normal",
            summary="Small, recurring practices beat one-off workshops.",
            items=(
                Item(
                    kind=ItemKind.RESOURCE,
                    title="Conversation guide: the 15-minute team check-in",
                    minutes=20,
                    resource="conversation-guide-team-check-in.txt",
                    body=md(
                        """
                        A printable guide for a weekly check-in that invites
                        early warnings and doubts. Try it with your team for
                        three weeks before the summative assessment.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.READING,
                    title="Pre-mortems, rotating devil's advocates and other routines",
                    minutes=45,
                    body=md(
                        """
                        ## Pre-mortem

                        Before a project starts, ask: *"It is six months from
                        now and this has failed. What happened?"* Everyone
                        writes reasons silently, then shares. Imagining failure
                        makes doubts easier to voice.

                        ## Rotating challenger

                        In each decision meeting, one person is asked to argue
                        the other side. Rotating the role removes the social
                        cost of disagreeing.

                        ## Leader speaks last

                        In discussions, the most senior person gives their view
                        last, so others are not anchored by it.

                        ## Close the loop

                        Whatever the routine, report back on what happened to
                        the concerns raised. Without this, routines become
                        rituals.
                        """
                    ),
                ),
            ),
        ),
    ),
    testimonials=(
        Quote(
            "Kevin Liu",
            "Engineering team lead",
            "The pre-mortem alone paid for the time. We found two risks in our "
            "launch plan that nobody had said out loud.",
        ),
        Quote(
            "Aisha Mohammed",
            "Charge nurse, acute care",
            "Practical and grounded. 'Appreciate, explore, act' is now on a card "
            "at our nursing station.",
        ),
    ),
)


CYBER_HYGIENE = Course(
    code="CYB-101",
    slug="introduction-to-cybersecurity-hygiene",
    title="Introduction to Cybersecurity Hygiene",
    summary=(
        "The everyday habits that stop most attacks: strong authentication, "
        "updates, safe handling of e-mail and data, and what to do when "
        "something goes wrong."
    ),
    description=md(
        """
        Most security incidents begin with an ordinary moment: a reused
        password, a convincing e-mail, a postponed update. This microcredential
        teaches the habits that prevent them, for anyone who uses a computer at
        work. No technical background needed.

        **For credit:** learners who pass the summative assessment receive 0.5
        credit toward Northbridge Polytechnic's Certificate in Information
        Technology Fundamentals.
        """
    ),
    language=Language.ENGLISH,
    level=Level.INTRODUCTORY,
    delivery_mode=DeliveryMode.SELF_PACED,
    time_commitment_hours=10,
    completion_window_days=56,
    plar_offered=True,
    credential_name="Cybersecurity Hygiene — Digital Badge and 0.5 credit",
    credential_value=md(
        """
        A for-credit microcredential: 0.5 credit transferable to Northbridge
        Polytechnic's Certificate in Information Technology Fundamentals. Shows
        employers that you apply baseline security practices and can recognise
        and report common attacks.
        """
    ),
    owner="instructor",
    credit_value=Decimal("0.50"),
    credit_institution="Northbridge Polytechnic, Faculty of Applied Technology",
    review_cycle_months=6,
    outcomes=(
        "Describe the four most common ways attacks begin and the habit that "
        "blocks each.",
        "Configure a password manager and multi-factor authentication on a "
        "work and a personal account.",
        "Identify phishing and social-engineering attempts from at least five "
        "warning signs, and report them correctly.",
        "Apply a backup and update routine that protects a personal device and "
        "its data.",
        "Carry out the first steps of an incident response plan after a "
        "suspected compromise.",
    ),
    modules=(
        Module(
            title="How attacks actually start",
            summary="The ordinary moments behind most incidents.",
            items=(
                Item(
                    kind=ItemKind.VIDEO,
                    title="How most attacks actually start",
                    minutes=10,
                    video_url=SAMPLE_VIDEO_URL,
                    captions="cyber-hygiene-how-attacks-start.en.vtt",
                ),
                Item(
                    kind=ItemKind.READING,
                    title="Four ways in, four habits",
                    minutes=45,
                    body=md(
                        """
                        ## The usual ways in

                        | Way in | Example | Habit that blocks it |
                        |---|---|---|
                        | Stolen passwords | Reused after a breach | Password manager |
                        | Phishing | Fake "shared document" | Pause, check, report |
                        | Unpatched software | Old browser plug-in | Automatic updates |
                        | Lost devices | Laptop left on a train | Lock + encryption |

                        ## Why habits beat tools

                        Security tools help, but attackers aim for the gaps
                        between them, usually a person in a hurry. A few habits,
                        practised until they are automatic, close most of those
                        gaps.

                        > **Try it:** search your e-mail address on a
                        > reputable breach-notification service. Were any of
                        > your accounts in a known breach?
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.RESOURCE,
                    title="Personal cybersecurity hygiene checklist (PDF)",
                    minutes=15,
                    resource="cyber-hygiene-checklist.pdf",
                    body=md(
                        """
                        A one-page checklist covering accounts, devices,
                        e-mail, data and incidents. Tick what is already true
                        for you now; you will return to it at the end of the
                        course.
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Passwords, passphrases and multi-factor authentication",
            summary="Set up the two habits that block most account takeovers.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Passphrases and password managers",
                    minutes=50,
                    body=md(
                        """
                        ## Length beats complexity

                        `Tr0ub4dor&3` is hard to remember and easy to crack.
                        `coffee lantern orbit maple` is the opposite. Current
                        guidance favours **long passphrases** (14+ characters)
                        over forced symbols and frequent changes.

                        ## One password per account

                        Reuse is the real danger: when one site is breached,
                        attackers try the same e-mail and password everywhere.
                        A **password manager** remembers a unique password for
                        every account; you remember one strong passphrase.

                        ## Set-up steps

                        1. Choose a manager approved by your employer.
                        2. Create a long master passphrase; write it down and
                           store it somewhere physically safe until memorised.
                        3. Turn on multi-factor authentication for the manager
                           itself.
                        4. Change your five most important passwords first:
                           e-mail, banking, work, cloud storage, phone account.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.READING,
                    title="Multi-factor authentication, step by step",
                    minutes=40,
                    body=md(
                        """
                        ## Something you know, have, or are

                        Multi-factor authentication (MFA) asks for a second
                        proof: a code from an app, a security key, or a
                        fingerprint. Even a stolen password is then not enough.

                        ## Which factor?

                        - **Security keys and passkeys**: strongest; resist
                          phishing.
                        - **Authenticator apps**: strong and free.
                        - **SMS codes**: better than nothing, weakest option.

                        ## Beware MFA fatigue

                        Attackers who have your password may send repeated
                        login prompts hoping you approve one. **Never approve a
                        prompt you did not start.** Report it: your password is
                        compromised.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="Your account inventory",
                    minutes=30,
                    body=md(
                        """
                        List your ten most important accounts (no passwords!).
                        For each, note whether the password is unique and
                        whether MFA is on. Which three will you fix this week?
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Phishing and social engineering",
            summary="Recognise the pressure tactics and report them.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Seven warning signs",
                    minutes=40,
                    body=md(
                        """
                        1. **Urgency**: "within 24 hours", "account suspended".
                        2. **Authority**: the CEO, IT, the tax agency.
                        3. **An unusual request**: gift cards, changed bank
                           details, your password.
                        4. **A mismatched sender**: the display name says your
                           bank; the address does not.
                        5. **Links that don't go where they say**: hover first.
                        6. **Unexpected attachments**, especially archives and
                           documents asking to "enable content".
                        7. **A request to keep it secret** or bypass process.

                        ## What to do

                        Don't click, don't reply. **Verify** through a channel
                        you already know (a phone number from the directory,
                        not the message). **Report** using your organisation's
                        phishing button or address.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.SCENARIO,
                    title="Scenario: the urgent invoice",
                    minutes=25,
                    body=md(
                        """
                        At 4:45 p.m. on a Friday you receive an e-mail that
                        appears to come from your director, who is travelling:

                        > *"Need you to process the attached invoice today
                        > — the supplier changed banks, new details inside. I'm
                        > in meetings, just handle it. Thanks."*

                        The sender's display name is right. The address is
                        your director's name at a free webmail service.
                        """
                    ),
                    choices=(
                        Choice(
                            text="Process the payment; the director asked and "
                            "it's nearly the weekend.",
                            consequence="The money goes to a fraudster's "
                            "account. By Monday it has been moved on and cannot "
                            "be recovered.",
                            feedback="Urgency, authority, changed bank details "
                            "and an outside address: four warning signs at "
                            "once. This is a classic business e-mail compromise.",
                        ),
                        Choice(
                            text="Reply to the e-mail asking the director to confirm.",
                            consequence='"Yes, confirmed, please hurry" comes '
                            "back within a minute — from the attacker, who "
                            "controls that address.",
                            feedback="Verifying through the same channel the "
                            "request came from verifies nothing.",
                        ),
                        Choice(
                            text="Don't pay. Call the director on the number in "
                            "the staff directory, and report the message as "
                            "phishing.",
                            consequence="The director has sent no such message. "
                            "The security team blocks the sender and warns "
                            "finance colleagues who received the same e-mail.",
                            feedback="Verify through a known channel, then "
                            "report: your report protected others, too.",
                            recommended=True,
                        ),
                    ),
                ),
                Item(
                    kind=ItemKind.CASE_STUDY,
                    title="Case: the shared document that wasn't",
                    minutes=45,
                    body=md(
                        """
                        ## The situation

                        A college administrator received a message that a
                        colleague had shared a document with her. The login
                        page looked exactly like the college's. She entered
                        her password and approved an MFA prompt that appeared
                        moments later. Within an hour, her mailbox sent the
                        same message to 300 contacts.

                        ## Questions

                        1. At which two points could the attack have been
                           stopped?
                        2. Which MFA method would have resisted it, and why?
                        3. Write the first three actions she should take once
                           she realises what happened.
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Devices, updates and backups",
            summary="Keep devices current and data recoverable.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Update early, back up often",
                    minutes=45,
                    body=md(
                        """
                        ## Updates

                        Most updates fix security flaws that are already
                        public, so attackers know exactly what to target.
                        Turn on **automatic updates** for the operating system,
                        browser and apps, and restart when asked.

                        ## The 3-2-1 backup rule

                        - **3** copies of important data,
                        - on **2** different kinds of storage,
                        - with **1** copy offline or off-site.

                        A backup you have never restored is a hope, not a
                        backup. Test a restore every few months.

                        ## Lock and encrypt

                        Screen lock after five minutes; full-disk encryption
                        on laptops (most phones encrypt by default).
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="Your backup, tested",
                    minutes=30,
                    body=md(
                        """
                        Restore one file from your backup. How long did it
                        take? What would you lose if your laptop were stolen
                        today? Describe one change you will make.
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="When something goes wrong",
            summary="The first hour after a suspected compromise.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Report fast, contain, recover",
                    minutes=40,
                    body=md(
                        """
                        ## Report first

                        The most valuable minutes are the first ones. Report
                        to your IT or security contact **before** trying to
                        fix things yourself, and say plainly what happened.
                        Nobody should be blamed for reporting.

                        ## Contain

                        - Change the affected password from a **different,
                          trusted device**.
                        - Sign out of all sessions; review MFA devices.
                        - Disconnect an infected computer from the network,
                          but do not wipe it: evidence matters.

                        ## Recover and learn

                        Restore from backup, check for forwarding rules added
                        to your mailbox, and note what would have stopped the
                        attack.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.CASE_STUDY,
                    title="Case: ransomware on a Monday morning",
                    minutes=50,
                    body=md(
                        """
                        ## The situation

                        A small accounting firm arrives on Monday to find
                        every file renamed and a ransom note on each screen.
                        Backups were kept on a drive permanently connected to
                        the server; it is encrypted too. The last offline copy
                        is three months old.

                        ## Questions

                        1. What should staff do in the first hour?
                        2. Which hygiene habits would have reduced the damage?
                        3. Draft a one-paragraph note to clients explaining
                           the delay without causing panic.
                        """
                    ),
                ),
            ),
        ),
    ),
    testimonials=(
        Quote(
            "Rosa Martínez",
            "Office administrator, dental clinic",
            "I set up a password manager for our whole office after module 2. "
            "Three weeks later we caught a fake invoice e-mail.",
        ),
        Quote(
            "Tom Beaulieu",
            "Warehouse supervisor",
            "No jargon, and the credit counted toward my IT certificate.",
        ),
        Quote(
            "Nadia Rahman",
            "Paralegal",
            "The scenarios felt like my inbox. Clear and worth the time.",
        ),
    ),
)


PROJECT_SCHEDULING = Course(
    code="PRJ-120",
    slug="project-scheduling-essentials",
    title="Project Scheduling Essentials",
    summary=(
        "Break work down, estimate honestly, find the critical path and keep a "
        "schedule that people trust."
    ),
    description=md(
        """
        A practical, cohort-based microcredential for people who run projects
        without the title of project manager. Over nine weeks you build and
        maintain a real schedule for a project of your own, with feedback from
        a facilitator and peers.

        Aligned with widely used project management practice; no specialist
        software required (a spreadsheet template is provided).
        """
    ),
    language=Language.ENGLISH,
    level=Level.INTERMEDIATE,
    delivery_mode=DeliveryMode.COHORT,
    time_commitment_hours=9,
    completion_window_days=63,
    plar_offered=True,
    credential_name="Project Scheduling Essentials — Digital Badge",
    credential_value=md(
        """
        Shows that you can build, baseline and update a project schedule and
        communicate its critical path and risks. Counts toward the Certificate
        in Data-Informed Operations.
        """
    ),
    owner="instructor2",
    outcomes=(
        "Decompose a project into a work breakdown structure of deliverables "
        "and activities.",
        "Estimate activity durations using three-point estimates and state "
        "the assumptions behind them.",
        "Construct a network of dependencies and identify the critical path and float.",
        "Baseline a schedule and report variance to stakeholders in plain language.",
    ),
    modules=(
        Module(
            title="Breaking the work down",
            summary="From a goal to a work breakdown structure.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="The work breakdown structure",
                    minutes=60,
                    body=md(
                        """
                        ## Deliverables first

                        A work breakdown structure (WBS) splits the project
                        into **deliverables** (nouns: "training materials"),
                        then into **activities** (verbs: "draft module 1").

                        ## How far to break down

                        Stop when an activity:

                        - has one owner,
                        - takes between one day and two weeks,
                        - has a clear "done".

                        ## The 100% rule

                        The WBS contains all the work and only the work.
                        Forgotten activities (reviews, approvals, procurement)
                        are the most common cause of late projects.

                        > **Try it:** write a WBS for your own project, two
                        > levels deep.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.RESOURCE,
                    title="Schedule template (spreadsheet)",
                    minutes=20,
                    resource="project-schedule-template.csv",
                    body=md(
                        """
                        A spreadsheet template with columns for activities,
                        owners, durations and dependencies, pre-filled with a
                        small example. Open it in any spreadsheet program and
                        replace the example with your own project.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="What did you forget?",
                    minutes=30,
                    body=md(
                        """
                        Compare your WBS with a colleague's or with a past
                        project. Which activities were missing from your first
                        draft? Why do you think they were easy to forget?
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Dependencies and the critical path",
            summary="Which activities decide the end date.",
            items=(
                Item(
                    kind=ItemKind.VIDEO,
                    title="Reading a schedule in five minutes",
                    minutes=10,
                    video_url=SAMPLE_VIDEO_URL,
                    captions="project-scheduling-gantt.en.vtt",
                ),
                Item(
                    kind=ItemKind.READING,
                    title="Forward pass, backward pass, float",
                    minutes=70,
                    body=md(
                        """
                        ## Forward pass

                        Starting at day 0, each activity's **earliest start**
                        is the latest earliest-finish among its predecessors.
                        Its **earliest finish** is earliest start + duration.

                        ## Backward pass

                        From the project end, each activity's **latest finish**
                        is the earliest latest-start among its successors.

                        ## Float

                        `float = latest start − earliest start`. Activities
                        with zero float form the **critical path**.

                        ## Worked example (template data)

                        | Activity | Days | Depends on | Finish | Float |
                        |---|---|---|---|---|
                        | A Confirm scope | 3 | — | 3 | 0 |
                        | B Stakeholders | 2 | A | 5 | 6 |
                        | C Draft WBS | 4 | A | 7 | 1 |
                        | D Estimate | 3 | C | 10 | 1 |
                        | E Book supplier | 10 | A | 13 | 0 |
                        | F Build schedule | 2 | D, B | 12 | 1 |
                        | G Sponsor review | 1 | F, E | 14 | 0 |
                        | H Baseline | 1 | G | 15 | 0 |

                        The critical path is **A → E → G → H** (15 days).
                        Booking the supplier (E) finishes on day 13, a day after
                        the C → D → F chain, so a one-day delay to E moves the
                        end date; C, D and F can each slip one day, B six.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.SCENARIO,
                    title="Scenario: the supplier is three days late",
                    minutes=25,
                    body=md(
                        """
                        Mid-project, your supplier tells you delivery will be
                        three days late. The activity that depends on the
                        delivery has two days of float. Your sponsor is
                        expecting a status update this afternoon.
                        """
                    ),
                    choices=(
                        Choice(
                            text='Report "on track": there is float, so it '
                            "will probably work out.",
                            consequence="The delay uses the float and one more "
                            "day. The end date slips and the sponsor hears "
                            "about it from the supplier.",
                            feedback="Two days of float do not absorb three "
                            "days of delay. Reporting green hid a real risk.",
                        ),
                        Choice(
                            text="Report a one-day slip to the end date, with "
                            "two options to recover it and what each costs.",
                            consequence="The sponsor chooses to approve "
                            "overtime on a later activity. The end date holds.",
                            feedback="Quantify the impact using float, then "
                            "offer choices: the sponsor can decide, and your "
                            "schedule stays trusted.",
                            recommended=True,
                        ),
                        Choice(
                            text="Quietly shorten the testing activity by a "
                            "day to absorb the delay.",
                            consequence="The end date holds on paper, but "
                            "defects found after launch cost far more than a "
                            "day.",
                            feedback="Cutting quality to protect the date is a "
                            "decision for the sponsor, not one to make "
                            "silently.",
                        ),
                    ),
                ),
            ),
        ),
        Module(
            title="Estimating honestly",
            summary="Three-point estimates and stated assumptions.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Three-point estimates",
                    minutes=55,
                    body=md(
                        """
                        ## One number is a guess

                        Ask for three: **optimistic (O)**, **most likely (M)**
                        and **pessimistic (P)**. A common weighted estimate is

                        `E = (O + 4M + P) / 6`

                        For O = 4, M = 6, P = 14 days: E = (4 + 24 + 14) / 6 =
                        7 days, longer than the "most likely" 6, because risks
                        are rarely symmetric.

                        ## Write down assumptions

                        "6 days, *assuming* the data arrives clean and Alex is
                        available full time." When an assumption breaks, you
                        know which estimates to revisit.

                        ## Estimate with the people who do the work

                        They know the hidden steps. They are also more
                        committed to estimates they made.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.CASE_STUDY,
                    title='Case: the website that was "two weeks"',
                    minutes=60,
                    body=md(
                        """
                        ## The situation

                        A non-profit's communications lead was asked how long
                        a new donation page would take. She said "two weeks"
                        in a meeting. It took seven: legal review of the
                        privacy notice, a payment provider's approval process
                        and two rounds of accessibility fixes were never in
                        the plan.

                        ## Questions

                        1. Rebuild the estimate as a three-point estimate for
                           each missing activity, stating your assumptions.
                        2. How should she have answered in the meeting?
                        3. Which of the missing activities were on the critical
                           path?
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Baselines, tracking and reporting",
            summary="Keep the schedule alive and the stakeholders informed.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Baseline, update, report",
                    minutes=50,
                    body=md(
                        """
                        ## Baseline

                        Once the sponsor approves the schedule, save a copy:
                        the **baseline**. You will compare progress to it.

                        ## Weekly update

                        For each activity in progress: actual start, percent
                        complete *by deliverable*, and the new forecast
                        finish. Re-run the forward pass.

                        ## Report in plain words

                        - **Status** in one line: "Forecast end 14 June, 3
                          days later than baseline."
                        - **Why**, in one line.
                        - **Decision needed**, if any, with options.

                        Avoid colour-only status (red/amber/green) without a
                        reason: it hides more than it shows.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="Your first status report",
                    minutes=40,
                    body=md(
                        """
                        Write a three-line status report for your own project
                        as if today were its midpoint: status, why, decision
                        needed. What information did you not have that you
                        would need?
                        """
                    ),
                ),
            ),
        ),
    ),
    testimonials=(
        Quote(
            "Grace Adeyemi",
            "Events coordinator",
            "I finally understand why my projects were late: the forgotten "
            "approvals. The cohort discussions were the best part.",
        ),
        Quote(
            "Hugo Lefebvre",
            "Facilities planner",
            "The critical path stopped being a mystery. I use the template for "
            "every renovation now.",
        ),
    ),
)


INTERCULTURAL = Course(
    code="COM-105",
    slug="communication-interculturelle-au-travail",
    title="Communication interculturelle au travail",
    summary=(
        "Comprendre les différences culturelles dans la communication "
        "professionnelle et adapter sa façon d'écouter, de parler et de "
        "donner de la rétroaction."
    ),
    description=md(
        """
        Les équipes réunissent de plus en plus de personnes de cultures
        différentes, qu'elles soient nationales, régionales ou
        professionnelles. Cette microcertification propose des repères
        concrets pour éviter les malentendus, vérifier ses interprétations et
        collaborer avec respect.

        **Public visé :** toute personne qui travaille avec des collègues,
        des clients ou des partenaires d'autres cultures.
        """
    ),
    language=Language.FRENCH,
    level=Level.INTRODUCTORY,
    delivery_mode=DeliveryMode.SELF_PACED,
    time_commitment_hours=7,
    completion_window_days=49,
    credential_name="Communication interculturelle au travail — Badge numérique",
    credential_value=md(
        """
        Atteste votre capacité à reconnaître les différences de normes de
        communication et à adapter vos échanges professionnels. Compte parmi
        les options du Certificat en leadership des personnes.
        """
    ),
    owner="instructor2",
    outcomes=(
        "Décrire quatre dimensions culturelles qui influencent la "
        "communication au travail.",
        "Distinguer un fait observé de son interprétation culturelle dans une "
        "situation professionnelle.",
        "Reformuler un message pour un interlocuteur dont les normes de "
        "communication diffèrent des siennes.",
        "Donner une rétroaction adaptée au contexte culturel de la personne "
        "qui la reçoit.",
    ),
    modules=(
        Module(
            title="Ce que la culture change à nos échanges",
            summary="Les grandes dimensions culturelles de la communication.",
            items=(
                Item(
                    kind=ItemKind.VIDEO,
                    title="Ce que la culture change à nos échanges",
                    minutes=10,
                    video_url=SAMPLE_VIDEO_URL,
                    captions="communication-interculturelle.fr.vtt",
                    transcript=md(
                        """
                        Quand une réunion se passe mal entre collègues de
                        cultures différentes, on accuse souvent les personnes.
                        Le plus souvent, ce sont les attentes qui diffèrent :
                        ce qu'on dit, ce qu'on sous-entend, qui parle en
                        premier.

                        Certaines équipes disent les choses directement.
                        D'autres comptent sur le contexte et la relation.
                        Aucune façon de faire n'est meilleure. Mais sans le
                        savoir, on interprète l'autre avec nos propres codes.

                        Dans ce module, vous apprendrez à repérer ces
                        différences et à vérifier votre interprétation avant
                        de réagir.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.READING,
                    title="Quatre dimensions à connaître",
                    minutes=45,
                    body=md(
                        """
                        ## Contexte faible ou fort

                        Dans une culture à **contexte faible**, le message est
                        dans les mots : on dit ce qu'on pense. Dans une culture
                        à **contexte fort**, le sens passe aussi par la
                        relation, le ton et ce qui n'est pas dit.

                        ## Rapport à la hiérarchie

                        Là où la distance hiérarchique est forte, contredire un
                        supérieur en public est rare. Le silence ne signifie
                        pas l'accord.

                        ## Rapport au temps

                        Temps **linéaire** : l'ordre du jour et l'heure
                        comptent. Temps **souple** : la relation et
                        l'adaptation priment.

                        ## Rétroaction directe ou indirecte

                        « Ce rapport doit être refait » et « On pourrait
                        peut-être revoir quelques éléments » peuvent porter le
                        même message.

                        > **À essayer :** situez votre équipe sur chacune des
                        > quatre dimensions. Où vous situez-vous
                        > personnellement ?
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="Votre propre culture de communication",
                    minutes=25,
                    body=md(
                        """
                        Décrivez une norme de communication de votre milieu
                        que vous considériez comme « normale » jusqu'à ce
                        qu'elle soit remise en question. Comment l'avez-vous
                        découvert ?
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Observer avant d'interpréter",
            summary="Séparer les faits de nos interprétations.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Fait, interprétation, vérification",
                    minutes=40,
                    body=md(
                        """
                        ## Trois étapes

                        1. **Fait** : ce qu'une caméra aurait filmé. « Elle n'a
                           rien dit pendant la réunion. »
                        2. **Interprétations possibles** : au moins deux. « Elle
                           n'est pas d'accord » ; « Elle attend qu'on lui donne
                           la parole. »
                        3. **Vérification** : une question ouverte, en privé si
                           nécessaire. « J'aimerais avoir ton avis sur la
                           proposition ; qu'en penses-tu ? »

                        ## Pourquoi c'est difficile

                        Nos interprétations arrivent vite et semblent
                        évidentes. Les ralentir demande de l'entraînement, pas
                        seulement de la bonne volonté.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.RESOURCE,
                    title="Grille d'auto-observation",
                    minutes=20,
                    resource="grille-auto-observation.txt",
                    body=md(
                        """
                        Une grille à remplir pendant une semaine, après chaque
                        échange important avec une personne d'une autre
                        culture. Vous vous en servirez pour l'évaluation
                        sommative.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.CASE_STUDY,
                    title="Étude de cas : le courriel jugé impoli",
                    minutes=45,
                    body=md(
                        """
                        ## La situation

                        Un chargé de projet à Montréal reçoit d'un partenaire
                        néerlandais ce courriel : « Votre plan n'est pas
                        réaliste. Le budget est sous-estimé de 20 %. Nous
                        devons en discuter lundi. » Il le transfère à sa
                        gestionnaire avec le commentaire : « Plutôt
                        agressif… »

                        ## Questions

                        1. Séparez les faits des interprétations dans cette
                           situation.
                        2. Quelles dimensions culturelles peuvent expliquer
                           l'écart de perception ?
                        3. Rédigez une réponse qui prend le fond au sérieux
                           tout en maintenant la relation.
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Adapter son message",
            summary="Reformuler, clarifier, confirmer.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Reformuler pour être compris",
                    minutes=40,
                    body=md(
                        """
                        ## Quelques pratiques simples

                        - **Phrases courtes**, un message par phrase, surtout
                          si l'autre travaille dans une langue seconde.
                        - **Éviter les expressions idiomatiques** (« ce n'est
                          pas la mer à boire »).
                        - **Écrire ce qui a été décidé** après une réunion, et
                          demander une confirmation.
                        - **Adapter le degré de franchise** : préciser que l'on
                          souhaite une critique directe, ou l'amener plus
                          progressivement.

                        ## Vérifier la compréhension

                        « Est-ce clair ? » obtient presque toujours « oui ».
                        Préférez « Comment allez-vous présenter cela à votre
                        équipe ? »
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.SCENARIO,
                    title="Mise en situation : la réunion silencieuse",
                    minutes=25,
                    body=md(
                        """
                        Vous animez une réunion de projet avec des collègues de
                        trois pays. Vous présentez un nouveau calendrier et
                        demandez : « Des objections ? » Personne ne répond.
                        Deux collègues, dont le gestionnaire est aussi présent,
                        évitent votre regard.
                        """
                    ),
                    choices=(
                        Choice(
                            text="Conclure que tout le monde est d'accord et "
                            "passer au point suivant.",
                            consequence="Deux semaines plus tard, une équipe "
                            "annonce qu'elle ne pourra pas respecter le "
                            "calendrier.",
                            feedback="Le silence, surtout en présence d'un "
                            "supérieur, n'est pas toujours un accord.",
                        ),
                        Choice(
                            text="Proposer un tour de table où chacun nomme un "
                            "risque, puis offrir de recevoir des commentaires "
                            "par écrit d'ici demain.",
                            consequence="Deux risques importants ressortent "
                            "par écrit le lendemain, et le calendrier est "
                            "ajusté.",
                            feedback="Vous avez offert plusieurs façons de "
                            "s'exprimer, dont une moins exposée : bonne "
                            "pratique en contexte interculturel.",
                            recommended=True,
                        ),
                        Choice(
                            text="Interpeller directement les deux collègues "
                            "silencieux devant le groupe.",
                            consequence="Les deux collègues répondent que tout "
                            "va bien. L'un d'eux se sent mis sur la sellette.",
                            feedback="La bonne intention, mais en public : "
                            "cela peut faire perdre la face. Un échange privé "
                            "aurait mieux fonctionné.",
                        ),
                    ),
                ),
            ),
        ),
        Module(
            title="La rétroaction entre cultures",
            summary="Dire les choses sans blesser ni édulcorer.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Une rétroaction qui traverse les cultures",
                    minutes=40,
                    body=md(
                        """
                        ## Le modèle SCI

                        - **Situation** : quand et où.
                        - **Comportement** : ce qui a été observé.
                        - **Impact** : l'effet sur le travail ou l'équipe.

                        Le modèle fonctionne dans la plupart des cultures, car
                        il décrit des faits plutôt que des traits de
                        personnalité.

                        ## Ajuster l'emballage

                        Avec une personne habituée à une rétroaction
                        **indirecte**, commencez par la relation et le
                        contexte, et privilégiez un échange en privé. Avec une
                        personne habituée à une rétroaction **directe**,
                        allez à l'essentiel : trop de précautions peuvent
                        brouiller le message.
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="Une rétroaction à préparer",
                    minutes=30,
                    body=md(
                        """
                        Pensez à une rétroaction que vous devez donner
                        prochainement. Rédigez-la avec le modèle SCI, puis
                        adaptez-la au style de communication de la personne
                        qui la recevra. Qu'avez-vous changé ?
                        """
                    ),
                ),
            ),
        ),
    ),
    testimonials=(
        Quote(
            "Yasmina Belkacem",
            "Conseillère en ressources humaines",
            "Des outils simples que j'utilise chaque semaine, surtout la "
            "distinction entre fait et interprétation.",
        ),
        Quote(
            "Olivier Nguyen",
            "Chef d'équipe, centre de services partagés",
            "Nos réunions avec l'équipe de Dakar sont beaucoup plus efficaces "
            "depuis que nous avons changé notre façon de vérifier les accords.",
        ),
        Quote(
            "Apprenant anonyme",
            "",
            "Beaucoup de lecture pour une semaine chargée ; j'aimerais plus de vidéos.",
            approved=False,
        ),
    ),
)


GENERATIVE_AI = Course(
    code="AI-130",
    slug="responsible-generative-ai-at-work",
    title="Responsible Use of Generative AI at Work",
    summary=(
        "Use AI writing and analysis assistants productively while protecting "
        "confidential information and checking what they produce."
    ),
    description=md(
        """
        **In development.** A draft microcredential, not yet visible in the
        catalog: it is here to show what instructors see while a course is
        still being written and reviewed.
        """
    ),
    language=Language.ENGLISH,
    level=Level.INTRODUCTORY,
    delivery_mode=DeliveryMode.SELF_PACED,
    time_commitment_hours=4,
    completion_window_days=42,
    credential_name="Responsible Use of Generative AI — Digital Badge",
    credential_value="Planned for next term.",
    owner="instructor2",
    publish=False,
    outcomes=(
        "Identify which workplace information must never be entered into an "
        "external AI tool.",
        "Verify AI-generated text and figures against primary sources before "
        "using them.",
        "Disclose AI assistance appropriately under a given organisational policy.",
    ),
    modules=(
        Module(
            title="What these tools do well, and badly",
            summary="Strengths, limits and failure modes.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="Prediction, not knowledge",
                    minutes=45,
                    body=md(
                        """
                        ## How the tools work, briefly

                        Generative AI predicts plausible text. Plausible is not
                        the same as true: confident, fluent and wrong is a
                        normal failure mode.

                        *Draft: examples to be added after review.*
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.REFLECTION,
                    title="Where you already use AI",
                    minutes=20,
                    body="List three tasks where you or your team already use "
                    "AI tools. What could go wrong in each?\n",
                ),
            ),
        ),
        Module(
            title="Confidentiality and verification",
            summary="What never goes in, and how to check what comes out.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="The confidentiality line",
                    minutes=40,
                    body=md(
                        """
                        ## Never enter

                        - Personal information about clients or staff.
                        - Unreleased financial results.
                        - Security details: passwords, network diagrams.

                        *Draft: checklist to be aligned with the institution's
                        policy.*
                        """
                    ),
                ),
                Item(
                    kind=ItemKind.CASE_STUDY,
                    title="Case: the invented citation",
                    minutes=45,
                    body=md(
                        """
                        A policy brief cites three studies suggested by an AI
                        assistant. One does not exist.

                        1. How could the author have caught it?
                        2. What should happen now that the brief is public?
                        """
                    ),
                ),
            ),
        ),
        Module(
            title="Disclosure and policy",
            summary="Being open about AI assistance.",
            items=(
                Item(
                    kind=ItemKind.READING,
                    title="When and how to disclose",
                    minutes=35,
                    body="*Draft: to be written after the policy review.*\n",
                ),
            ),
        ),
    ),
)


COURSES: tuple[Course, ...] = (
    DATA_LITERACY,
    PSYCHOLOGICAL_SAFETY,
    CYBER_HYGIENE,
    PROJECT_SCHEDULING,
    INTERCULTURAL,
    GENERATIVE_AI,
)


PATHWAYS: tuple[PathwaySpec, ...] = (
    PathwaySpec(
        code="CERT-DIO",
        slug="certificate-in-data-informed-operations",
        title="Certificate in Data-Informed Operations",
        summary=(
            "Three microcredentials that together prepare you to run operations "
            "on evidence: read data critically, keep systems and information "
            "safe, and plan work that finishes on time. Earn all three."
        ),
        members=("DATA-101", "CYB-101", "PRJ-120"),
    ),
    PathwaySpec(
        code="CERT-PL",
        slug="certificate-in-people-leadership",
        title="Certificate in People Leadership",
        summary=(
            "Lead teams where people speak up, communicate across cultures, and "
            "make decisions with evidence. Earn any two of the three "
            "microcredentials."
        ),
        members=("PSY-110", "COM-105", "DATA-101"),
        required_count=2,
    ),
)


# Every published course gets a rolling "Start any time" offering; these are
# the scheduled ones. Start dates are relative to the day of the first run.
ROLLING_LABEL = "Start any time"
SCHEDULED_OFFERINGS: tuple[ScheduledOffering, ...] = (
    ScheduledOffering(
        course="PRJ-120", label="Evening cohort", starts_in_days=21, capacity=24
    ),
    ScheduledOffering(
        course="PSY-110",
        label="Weekend practice cohort",
        starts_in_days=35,
        capacity=20,
    ),
    ScheduledOffering(
        course="PRJ-120",
        label="Daytime cohort",
        starts_in_days=-84,
        capacity=24,
        is_open=False,
    ),
)


LEARNER_PROGRESS: tuple[LearnerProgress, ...] = (
    LearnerProgress(
        course="DATA-101",
        registered_days_ago=12,
        completed_items=6,
        reflection=(
            "Decision: whether to extend the help desk's hours to Saturdays.\n"
            "1. Share of requests arriving Friday 4 p.m.–Monday 9 a.m. "
            "(baseline 18%, act if above 25%; source: ticketing system).\n"
            "2. Median days to first contact for weekend requests (baseline "
            "2.5, target 1; source: ticketing system)."
        ),
        scenario_choice=1,
    ),
    LearnerProgress(course="CYB-101", registered_days_ago=3, completed_items=2),
)
