"""Behaviour of the five rule checks on each class of tricky opening (typed and speech-recognition style).

This file specifies the rule checker (the fallback without the embedding package, and the precise half
of the default ensemble), so it scores with ``RulesChecker``; the default checker's behaviour on the
paraphrases the rules miss is in ``test_semantic.py``.
"""

from __future__ import annotations

import pytest

from rehearse.coaching import metrics
from rehearse.core.model import CHECK_NAMES, Archetype, Transcript, Word
from rehearse.coaching import scoring
from rehearse.coaching.checkers import RulesChecker


def score(transcript, archetype):
    """Scored by the rule checker, whatever the default is."""
    return scoring.score(transcript, archetype, checker=RulesChecker())

STORYTELLER = Archetype("storyteller", "The storyteller", "", "", ("leads_with_accomplishment", "thanks_for_callback"))
SALESPERSON = Archetype("salesperson", "The salesperson", "", "", ("asks_first_year_question", "asks_contributor_question"))
CHALLENGER = Archetype("challenger", "The challenger", "", "", ("leads_with_accomplishment", "quantified_result"))


def check(text: str, name: str, archetype: Archetype = STORYTELLER):
    return score(Transcript(text), archetype).checks[name]


def passed(text: str, name: str) -> bool:
    return check(text, name).passed


# ---------- leads_with_accomplishment ----------

def test_own_accomplishment_right_after_thanks_leads():
    text = ("Thank you for asking me back. I was thinking about an accomplishment from the last six months. "
            "I was charged with cleaning up our returns process, and I rebuilt the triage so refunds went out in two days.")
    assert passed(text, "leads_with_accomplishment")


@pytest.mark.parametrize("text", [
    "Thanks for having me back. Our company had a record year and we opened five new branches.",
    "thanks for having me back um so my manager turned around our biggest account and i learned a lot watching her",
    "Thanks for having me back. I was part of the team that launched the new app, which was a big deal for us.",
    "so we redesigned the whole website last year and traffic doubled i was on that project",
])
def test_bystander_to_we_the_company_or_the_manager_does_not_lead(text):
    assert not passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


def test_team_project_counts_when_the_speaker_names_their_part():
    text = ("Thanks for having me back. Our team moved billing to a new system, and my part was the data migration: "
            "I wrote the scripts that moved forty thousand accounts with no errors.")
    assert passed(text, "leads_with_accomplishment")
    assert passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "Thanks for having me back. I've been the lead on the payments team for three years and I manage a team of twelve.",
    "i get that um i've been a nurse for fifteen years and i ran a unit of thirty nurses",
    "I'm 45, I have 20 years of experience, and I've led teams of up to 50 people.",
    "yeah i've worked at three hospitals and been on the cardiac unit for twelve years",
])
def test_tenure_age_and_team_size_are_neither_accomplishment_nor_result(text):
    assert not passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "Thanks for your time. I'm a hard worker, I'm passionate about logistics, and I always give 110 percent.",
    "um i'm a people person i love working with customers and i'm super organized",
    "I've done a lot of good things in my career and I've always gotten good results.",
    "I would cut your onboarding time in half. I'd start by mapping every step.",
])
def test_generic_self_description_vagueness_and_promises_do_not_lead(text):
    assert not passed(text, "leads_with_accomplishment")


def test_accomplishment_after_a_long_ramble_does_not_lead_but_still_has_a_result():
    ramble = ("Thank you for having me. Before I start I have to say the drive over was lovely, the leaves are "
              "turning, and I stopped at the little cafe on the corner, which reminded me of the one my grandmother "
              "took me to every Sunday when I was small, where we sat by the window and watched the trains go by "
              "for hours. Anyway, last spring I negotiated a freight contract that saved 240,000 dollars a year.")
    assert not passed(ramble, "leads_with_accomplishment")
    assert passed(ramble, "quantified_result")


def test_small_talk_before_a_prompt_accomplishment_still_fails_to_lead():
    text = ("hi um so the traffic this morning was unreal i sat on the bridge for forty minutes and then the "
            "parking was full and my coffee spilled in the car anyway i'm excited about this role and last year "
            "i rebuilt our intake form")
    assert not passed(text, "leads_with_accomplishment")


# ---------- asks_first_year_question ----------

@pytest.mark.parametrize("text", [
    "If I were offered this position and was very successful in the first year, what would I have accomplished?",
    "A year from now, if hiring me was the best decision you made, what did I get done?",
    "uh so six months in if i'm crushing it what have i delivered",
    "thank you for bringing me back so if we fast forward a year and you're really happy you hired me what would i have pulled off",
])
def test_first_year_question_in_any_wording(text):
    assert passed(text, "asks_first_year_question")


@pytest.mark.parametrize("text", [
    "What does onboarding look like in the first year, who would mentor me, and how many vacation days do I get?",
    "um what would the first six months look like would i be shadowing someone",
    "What are the company's objectives for this year?",
])
def test_logistics_and_company_objectives_are_not_the_first_year_question(text):
    assert not passed(text, "asks_first_year_question")


@pytest.mark.parametrize("text", [
    "In my first year at my last job I was very successful and accomplished a lot.",
    "so in my first year i want to accomplish a lot and lead a project by the end of the year",
    "Good question. In my first year at Acme I was very successful: I built the reporting suite.",
])
def test_a_statement_about_a_first_year_is_not_a_question(text):
    assert not passed(text, "asks_first_year_question")


# ---------- asks_contributor_question ----------

@pytest.mark.parametrize("text", [
    "If after a few months I was seen as a very effective contributor, what leadership or team characteristics would I be showing?",
    "what would my manager say about my leadership and how i work with the team if i was doing really well after a few months",
])
def test_contributor_question_in_any_wording(text):
    assert passed(text, "asks_contributor_question")


@pytest.mark.parametrize("text", [
    "How big is the team I'd join, and who would I report to?",
    "can you tell me who's on the team and how long they've been there",
    "What leadership training programs do you offer new hires?",
    "does the team have a lot of leadership characteristics like are they senior people",
])
def test_team_size_reporting_lines_and_programs_are_not_the_contributor_question(text):
    assert not passed(text, "asks_contributor_question")


# ---------- thanks_for_callback ----------

@pytest.mark.parametrize("text", [
    "Thank you for asking me back.",
    "hi uh thanks so much for having me back in",
    "Thanks for the second interview.",
    "Great to be back, thank you.",
    "thank you for the call back i appreciate it",
])
def test_thanks_for_the_callback(text):
    assert passed(text, "thanks_for_callback")


@pytest.mark.parametrize("text", [
    "Thanks for your time today.",
    "Thank you again for having me.",
    "Thanks for the coffee. I've been at Brightline for three years.",
    "Thank you. Back in my last job I ran payroll.",
])
def test_generic_thanks_or_thanks_for_something_else_is_not_callback_thanks(text):
    assert not passed(text, "thanks_for_callback")


def test_thanks_only_at_the_end_does_not_count():
    text = ("um i'm a people person i love working with customers and i'm super organized i think those are my "
            "biggest strengths and that's kind of me in a nutshell oh and thank you for asking me back by the way")
    assert not passed(text, "thanks_for_callback")


# ---------- quantified_result ----------

@pytest.mark.parametrize("text", [
    "last year i cut our cloud spend by forty percent and it saved about two hundred grand",
    "i reorganized the pick paths and we went from a hundred and twenty orders an hour to a hundred and seventy",
    "i translated our onboarding emails and cancellations dropped by about a third",
    "I automated the reconciliation, and it went from three days to one hour.",
])
def test_spelled_out_and_digit_results_count(text):
    assert passed(text, "quantified_result")


def test_company_figures_do_not_count_as_the_speakers_result():
    text = "The company I work for has 5,000 employees and moved 2 million packages last year. Revenue grew 35 percent."
    assert not passed(text, "quantified_result")


def test_accomplishment_without_a_number_is_not_quantified():
    text = "Thank you for asking me back. I designed the new bus schedule and rider complaints went down a lot."
    assert passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


# ---------- misheard words ----------

def test_misheard_words_still_match():
    text = ("thank you for the second in a view um i was thinking about a complishment from the last sick months "
            "i was charged with our overdue invoices and i set up a weekly call routine and we collected three "
            "hundred thousand dollars")
    for name in ("thanks_for_callback", "leads_with_accomplishment", "quantified_result"):
        assert passed(text, name), name
    asked = ("so um i wanted to ask what would i have a complished after the first sick months if i was really "
             "successful")
    assert passed(asked, "asks_first_year_question")


# ---------- evidence, positions, advice ----------

def _timed(text: str, start: float = 1.0, step: float = 0.4) -> Transcript:
    words = tuple(Word(w, start + i * step, start + i * step + 0.3) for i, w in enumerate(text.split()))
    return Transcript(text=text, words=words, engine="test", duration_s=start + len(words) * step)


def test_evidence_word_index_and_seconds_with_timed_words():
    text = "um thank you for asking me back uh last year i cut our cloud bill by forty percent"
    t = _timed(text)
    result = score(t, CHALLENGER)
    lead = result.checks["leads_with_accomplishment"]
    assert lead.passed
    assert lead.evidence.split()[:3] == ["i", "cut", "our"]
    assert t.words[lead.word_index].word == "i"
    assert lead.seconds == pytest.approx(t.words[lead.word_index].start)
    thanks = result.checks["thanks_for_callback"]
    assert thanks.word_index == 1 and thanks.seconds == pytest.approx(1.4)
    assert "asking me back" in thanks.evidence
    quant = result.checks["quantified_result"]
    assert "forty percent" in quant.evidence
    assert text.split()[quant.word_index] in quant.evidence.split()[0]


def test_the_result_evidence_is_the_measured_result_not_a_count_earlier_in_the_clause():
    text = ("You doubted my experience with suppliers. Last year I renegotiated our three largest contracts "
            "and saved 180,000 dollars.")
    quant = check(text, "quantified_result")
    assert quant.passed
    assert "180,000" in quant.evidence and "three" not in quant.evidence


@pytest.mark.parametrize("text, shown, not_shown", [
    ("Thanks for asking me back. Last spring I rebuilt our prep schedule and food waste fell by a third "
     "in two months.", "third", "months"),
    ("so you wanted proof um i cleared a backlog of nine hundred claims in six weeks",
     "nine hundred", "weeks"),
    ("I rewrote the importer and errors dropped from 40 a week to 3 in the first month.", "from 40 a week to 3",
     "first"),
])
def test_the_result_evidence_is_the_change_not_the_time_it_took(text, shown, not_shown):
    quant = check(text, "quantified_result")
    assert quant.passed
    assert shown in quant.evidence and not_shown not in quant.evidence


def test_a_time_saved_is_still_the_evidence_when_it_is_the_only_quantity():
    quant = check("Thanks for having me back. I automated the month-end close and it now finishes in two days.",
                  "quantified_result")
    assert quant.passed
    assert "two days" in quant.evidence


def test_evidence_indexes_whitespace_tokens_without_timed_words():
    text = "Thanks for having me back. Last quarter I led the redesign of checkout, and conversion rose 18%."
    lead = check(text, "leads_with_accomplishment")
    assert lead.passed and lead.seconds is None
    assert text.split()[lead.word_index] == "I"
    assert lead.evidence.startswith("I led the redesign")


def test_advice_only_for_failed_required_checks():
    text = "Thanks for your time. I'm a hard worker."
    result = score(Transcript(text), STORYTELLER)
    for name, c in result.checks.items():
        assert c.required == (name in STORYTELLER.required_checks)
        if c.required and not c.passed:
            assert c.advice and c.advice.endswith(".") and c.advice.count(". ") <= 1
        else:
            assert c.advice is None
        if not c.passed:
            assert c.evidence is None and c.word_index is None and c.seconds is None
    assert result.verdict == "fail"
    good = score(Transcript("Thank you for asking me back. I rebuilt our intake and cut wait times by half."), STORYTELLER)
    assert good.verdict == "pass"
    assert all(c.advice is None for c in good.checks.values())


def test_advice_speaks_to_each_archetype():
    story = check("hello", "leads_with_accomplishment", STORYTELLER).advice
    doubt = check("hello", "leads_with_accomplishment", CHALLENGER).advice
    assert story and doubt and story != doubt
    assert "first year" in check("hello", "asks_first_year_question", SALESPERSON).advice


def test_a_lead_told_after_the_questions_gets_advice_naming_the_order_and_the_accomplishment():
    first = "Thanks for having me back. I rebuilt our intake form and cut wait times by 30%. "
    ask = "So what would I have accomplished after my first year here if I did really well? "
    late = check(ask + first, "leads_with_accomplishment")
    assert not late.passed and late.evidence is None
    assert "after your questions" in late.advice and "I rebuilt our intake form" in late.advice
    # any other failed lead keeps the archetype's advice
    assert check("Thanks for having me back. I'm a hard worker.", "leads_with_accomplishment").advice == \
        check("hello", "leads_with_accomplishment").advice
    assert "after your questions" not in check("hello", "leads_with_accomplishment").advice


@pytest.mark.parametrize("text", ["", "   ", "um uh", "...", "<sil> [noise]"])
def test_empty_or_noise_transcript_fails_every_check_gracefully(text):
    result = score(Transcript(text), CHALLENGER)
    assert set(result.checks) == set(CHECK_NAMES)
    assert not any(c.passed for c in result.checks.values())
    assert all(0 <= c.score <= 100 for c in result.checks.values())
    assert result.verdict == "fail"


def test_every_check_is_computed_and_metrics_come_from_metrics_module():
    t = _timed("thank you for asking me back um i led the move to the new warehouse")
    result = score(t, SALESPERSON)
    assert list(result.checks) == list(CHECK_NAMES)
    assert result.metrics == metrics.compute(t)
    assert result.engine == "test" and result.archetype == "salesperson"


# ---------- classes found by the third holdout set ----------

@pytest.mark.parametrize("text", [
    "thanks for asking me back i have managed a portfolio of forty million dollars and i oversee six regional offices",
    "I've run three warehouses with over two hundred pickers, and I supervise nine shift leads.",
    "honestly i have overseen budgets of up to five million and i directed two departments",
])
def test_budget_and_scope_in_charge_are_neither_accomplishment_nor_result(text):
    assert not passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


def test_managing_to_do_something_is_still_an_accomplishment():
    text = "I managed to cut our shipping costs by 18 percent in one quarter."
    assert passed(text, "leads_with_accomplishment") and passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "Good question. I tripled our volunteer sign-ups in one summer by redesigning the form.",
    "i halved the time it takes to close the books by automating the reconciliations",
    "Honestly? I personally doubled our repeat customers in a year.",
])
def test_doubling_or_halving_something_is_an_accomplishment_with_a_result(text):
    assert passed(text, "leads_with_accomplishment")
    assert passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "my manager doubled our team's output last year",
    "i would double your sales in a year",
    "i double checked every invoice before it went out and the auditors were happy",
])
def test_doubling_by_someone_else_a_promise_or_an_idiom_is_not_the_speakers_result(text):
    assert not passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "okay so i got our first call resolution from fifty five percent to eighty percent by rewriting the scripts",
    "I pushed our on-time delivery rate from 82% up to 97% in six months.",
])
def test_moving_a_figure_from_one_value_to_another_is_an_accomplishment(text):
    assert passed(text, "leads_with_accomplishment")
    assert passed(text, "quantified_result")


def test_the_company_moving_a_figure_is_not_the_speakers_accomplishment():
    text = "we took the company from two offices to five while i was there"
    assert not passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "I set up our after-hours line, and it handled 3,500 calls in its first month.",
    "i launched the parts kiosk and it processed two thousand orders in its first quarter",
])
def test_year_like_counts_of_work_handled_are_results(text):
    assert passed(text, "quantified_result")


def test_a_year_is_not_a_result():
    assert not passed("in 2019 i redesigned the lobby of our store", "quantified_result")
    assert not passed("i rebuilt our 2019 sales plan for the region", "quantified_result")


def test_a_count_said_in_words_before_a_compound_noun_is_not_a_year():
    text = "i handled two thousand support tickets a month by myself"
    assert passed(text, "leads_with_accomplishment") and passed(text, "quantified_result")


def test_a_schedule_lead_is_not_scope():
    text = "i managed the data center move and we were running 3 days ahead of schedule"
    assert passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "That's understandable. I rebuilt our intake process so every referral gets a call the same day.",
    "totally fair um i redesigned the dispatch board and the drivers stopped missing pickups",
    "Point taken. I wrote the training manual our new hires still use today.",
])
def test_accomplishment_right_after_a_short_acknowledgement_leads(text):
    assert passed(text, "leads_with_accomplishment")


@pytest.mark.parametrize("text", [
    "i recently completed my project management certification and i am eager to grow",
    "i'm thirty one i earned my nursing degree in two years and i am looking for a new challenge",
    "Thanks for having me back. I just finished getting my forklift license.",
])
def test_earning_a_credential_is_biography_not_an_accomplishment(text):
    assert not passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "i completed the warehouse migration two weeks ahead of schedule",
    "I completed the course redesign for 40 teachers and pass rates rose 12 percent.",
    "i finished the school gym renovation three weeks early",
])
def test_completing_a_piece_of_work_is_still_an_accomplishment(text):
    assert passed(text, "leads_with_accomplishment") and passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "i rewrote the cleaning rota and we went from complaints every week to none at all",
    "i fixed the router config and outages went from twice a day to once a month",
])
def test_a_frequency_moved_in_words_is_a_measurable_result(text):
    assert passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "thank you for the cold back i really wanted to talk more about the role",
    "I really appreciate you wanting to speak with me again.",
    "Thanks so much for having me for a second time.",
    "thanks for choosing to see me one more time",
    "thank you for giving me another shot at this",
])
def test_callback_thanks_in_other_words_and_misheard(text):
    assert passed(text, "thanks_for_callback")


@pytest.mark.parametrize("text", [
    "Thanks for your time. I have applied here before.",
    "thanks for the coffee it is the second one today",
])
def test_thanks_for_other_things_stay_generic(text):
    assert not passed(text, "thanks_for_callback")


@pytest.mark.parametrize("text", [
    "Imagine it's a year from now and you're telling your team I was the best hire you made. What did I get done?",
    "okay picture this it's twelve months from today and you're glad you hired me what did i accomplish",
    "so fast forward one year and hiring me was the smartest move you made what would i have delivered",
    "when my first anniversary comes around and you are thrilled with me what will i have achieved",
    "thanks for having me back quick question if i do really well in my first ear what would i have accomplished",
])
def test_first_year_question_framed_as_a_scenario(text):
    assert passed(text, "asks_first_year_question")


@pytest.mark.parametrize("text", [
    "fast forward a year and i will have delivered the new system, that is my promise",
    "What would the best decision for the first year budget be?",
])
def test_a_scenario_without_asking_for_the_speakers_output_is_not_the_first_year_question(text):
    assert not passed(text, "asks_first_year_question")


@pytest.mark.parametrize("text", [
    "Say it's a quarter from now and the team leans on me. What would you see in how I lead and collaborate?",
    "once i have settled in what would show you that i am a strong teammate and a leader on the team",
    "A few months in, what signs would tell you I'm stepping up as a leader and a good teammate?",
    "when i have found my footing what would tell you i am pulling my weight on the team",
    "after three months here, what would my teammates say I do well as a leader and collaborator?",
    "If a quarter in you were telling people I'm a great teammate, what would they have seen me do?",
])
def test_contributor_question_framed_as_settling_in(text):
    assert passed(text, "asks_contributor_question")


@pytest.mark.parametrize("text", [
    "Once I've settled in, who would I be working with on the team?",
    "a few months in how would you know if the project succeeded",
    "What does the team do in the first few months?",
])
def test_settling_in_questions_about_the_team_or_a_project_are_not_the_contributor_question(text):
    assert not passed(text, "asks_contributor_question")


def test_the_speaker_as_the_one_who_did_it_leads_whatever_the_verb():
    text = "i was the one who rewrote our scheduling tool and overtime fell 25 percent"
    assert passed(text, "leads_with_accomplishment") and passed(text, "quantified_result")


def test_a_budget_however_large_is_scope():
    text = "I've handled budgets as large as $3M and teams of 25."
    assert not passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "a couple of months in, what would the strongest teammates here be doing that I should be doing too?",
    "what would it look like for me to be a real leader on this team after my first few months",
])
def test_contributor_question_about_what_the_best_teammates_do(text):
    assert passed(text, "asks_contributor_question")


# ---------- round 2: classes from the fourth blind set (own sentences) ----------

def test_a_result_after_a_list_of_the_speakers_actions_belongs_to_them():
    text = ("Thanks for having me back. I was the site engineer, and the old plan shut the bridge for three months. "
            "I reworked the detour so buses could keep running through the night, talked the council into the "
            "change, and lined up the steel supplier so deliveries landed in the order the crews needed them. "
            "We wrapped up in nine weeks instead of fourteen.")
    assert passed(text, "leads_with_accomplishment")
    assert passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "thanks for asking me back so last fall i ran the regional food drive by myself after the coordinator left "
    "and it went great",
    "Thanks for having me back. I handled the whole warehouse audit on my own when my supervisor was out.",
])
def test_a_scope_verb_done_alone_is_the_speakers_accomplishment(text):
    assert passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "Thanks for bringing me back. I was the lead on the clinic records migration and we went live three weeks "
    "ahead of schedule.",
    "thank you for asking me back i was project manager for the library expansion and we came in forty grand "
    "under budget",
])
def test_the_speakers_role_with_a_team_result_leads_with_the_result(text):
    assert passed(text, "leads_with_accomplishment")
    assert passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "so last spring i weatherproofed the loading docks and cut the heating bill by like nine grand",
    "Thanks for having me back. I crowdsourced the pothole reports for my piece, and after it ran the city "
    "fixed them in half the time.",
])
def test_an_action_verb_outside_the_bank_counts_when_its_result_follows(text):
    assert passed(text, "leads_with_accomplishment")
    assert passed(text, "quantified_result")


def test_doing_all_of_a_piece_of_work_is_the_speakers_accomplishment():
    text = ("thanks for having me back so i did all the tile work on a three unit rehab last spring and the "
            "owner sent me a glowing reference")
    assert passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "thank you for asking me back so i run the dental office on main street i supervise um like six hygienists "
    "and two assistants and we see about sixty patients a day",
    "Thanks for having me back. I ran the county call center, and we handled roughly 4,000 calls a week.",
])
def test_staff_in_charge_and_team_volume_are_scope_not_results(text):
    assert not passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "Thanks for having me back. I tracked down a foster family three counties away and got the twins "
    "placed together before the hearing.",
    "I wrote the grant, borrowed artifacts from four private collections, and designed the gallery, and visits "
    "were way up that fall.",
    "i rewired a 60,000-square-foot warehouse for the county last spring and the tenants loved it",
])
def test_inputs_distances_and_sizes_are_not_results(text):
    assert passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "Fair question. I'm the one who got our abstraction licence renewed, and it took me eight months.",
    "I rewrote our onboarding guide for the night shift, it took about three weeks.",
    "so i rebuilt the fur on the gorilla for the museum myself and uh that took about nine weeks and it went out on time",
])
def test_how_long_the_work_took_is_not_its_result(text):
    assert passed(text, "leads_with_accomplishment")
    assert not passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    # the time set against another, or taken off one, is the result
    "I rebuilt the rack plan in our workshop, so on-site commissioning took nine days instead of the twenty-five we quoted.",
    "I rebuilt the clearance file and the last submission took 94 days against a department average of 150.",
    "I redesigned the bolt tensioning sequence, which took about two days off the programme.",
    # the time a job took before the speaker's change
    "I wrote the new startup procedure for the reactor train. Before that it took 14 hours from cold. After, 9.",
    "I brought the drone in at Mercer's. A topo survey that took us 4 days. Now takes 1.",
    # a result beside the time the work took
    "I led the billing migration, it took me eight months and cut hosting costs by thirty percent.",
])
def test_a_time_set_against_another_is_still_a_result(text):
    assert passed(text, "quantified_result")


def test_restating_the_interviewers_doubt_is_a_brief_acknowledgement():
    text = ("Thanks for the second interview. You asked whether I have really handled electrical jobs of this size "
            "and complexity before. At Hollis Electric the county brought us in to rewire the courthouse while "
            "court stayed in session, which nobody there thought could be done. I built the outage schedule floor by floor and we finished a month early.")
    assert passed(text, "leads_with_accomplishment")


@pytest.mark.parametrize("text", [
    "i run the pharmacy on fifth street and we fill about four hundred prescriptions a day",
    "Thanks for having me back. I run the shelter kitchen and we serve around 300 meals a night.",
])
def test_a_rate_said_in_the_present_tense_is_volume_not_a_result(text):
    assert not passed(text, "quantified_result")


def test_a_rate_reached_after_the_speakers_change_is_a_result():
    text = "i redid the pick paths in our warehouse and we now ship about four hundred orders a day"
    assert passed(text, "leads_with_accomplishment") and passed(text, "quantified_result")


def test_the_speakers_role_told_after_the_team_result_still_counts():
    text = "Thanks for having me back. We delivered the plant upgrade a month early, and I was the lead engineer on it."
    assert passed(text, "leads_with_accomplishment") and passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "thanks for having me back so last spring i repainted the whole station and the crew loved it",
    "Thanks for having me back. I co-founded a tutoring program for the night-shift kids at our hospital.",
])
def test_a_prefixed_form_of_an_achievement_verb_is_one_too(text):
    assert passed(text, "leads_with_accomplishment")


def test_an_inflected_key_word_is_not_read_as_a_mishearing():
    text = "i interviewed sixty tenants and rewrote the building's move in guide"
    assert passed(text, "leads_with_accomplishment")


@pytest.mark.parametrize("text", [
    "i'm curious like after a few weeks if the kitchen thought i was one of the strong ones what would i be doing "
    "in terms of like pitching in and helping everyone",
    "Suppose by next fall the office sees me as a real asset. What would I be doing, in how I lead and how I work "
    "with others, to earn that?",
])
def test_contributor_question_with_the_group_by_another_name_and_seen_as_an_asset(text):
    assert passed(text, "asks_contributor_question")


def test_being_one_of_the_best_without_asking_about_it_is_not_the_contributor_question():
    assert not passed("i was one of the best people on the crew and i always helped everyone", "asks_contributor_question")


@pytest.mark.parametrize("text", [
    "Thanks for having me back. My first-time fix rate last year was 98.6 percent across 400 mobile jobs, "
    "the best in the region.",
    "my error rate on the packing line last year was point two percent",
    "Good to see you again. My safety record is zero lost-time incidents in six years on site.",
    "Thanks for asking me back. My service desk last year had a 94 percent first-contact resolution rate.",
    "my van fleet had zero write-offs in three winters of gritting",
    "my recovery count last year was forty two stolen vans, the most in the region",
    "Thanks for having me back. My first-pass yield as a night shift lead last year was 98 percent.",
    "my pass rate as a level 2 assessor was ninety one percent against a county average of seventy",
])
def test_a_record_stated_as_the_speakers_own_leads_with_a_result(text):
    """A record the speaker states as theirs, with no deed named ("my fix rate last year was 98.6 percent"):
    the labelling guide counts it as their accomplishment with a measurable result."""
    assert passed(text, "leads_with_accomplishment")
    assert passed(text, "quantified_result")


@pytest.mark.parametrize("text", [
    "Thanks for having me back. I'm the one who got our fire certificate renewed after it had lapsed for a year.",
    "i was the nurse who set up the falls clinic on our ward",
    "Fair question. I'm the engineer who got the old press line running again when everyone said scrap it.",
])
def test_i_am_the_one_who_did_it_names_a_deed_as_the_speakers(text):
    """ "I'm the one who got X renewed": the speaker names the deed as theirs, whatever its verb."""
    assert passed(text, "leads_with_accomplishment")


@pytest.mark.parametrize("text", [
    "I'm the one who had to tell the team about the closure.",
    "I'm the one who worked alongside the manager when she got the site accredited.",
    "I'm the kind of person who gets things done.",
])
def test_i_am_the_one_who_with_no_deed_of_the_speakers_does_not_lead(text):
    assert not passed(text, "leads_with_accomplishment")


@pytest.mark.parametrize("text", [
    "Thanks for having me back. My hourly rate was 40 pounds when I was freelancing.",
    "I take the point that my numbers are thin. My goal this year is to get my fix rate above 90 percent.",
    "Thanks for having me back. The depot's fix rate last year was 98 percent, the best in the region.",
    "Thanks for having me back. My old company had zero recalls in ten years, which is nice.",
    "I ran the store on my own, I had 30 staff and an 80 grand labour budget.",
    "Thanks for having me back. My case count last year was about forty families at any one time.",
    "my head count as a shift manager was twelve people",
    "my step count on a double shift was twenty thousand",
])
def test_a_rate_that_is_pay_a_goal_or_someone_elses_is_not_a_record(text):
    assert not passed(text, "quantified_result")
