"""The safety layer: red flags raise urgency; negations, hypotheticals and past stories do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import safety

RAISED = [
    ("I'm soaking through a pad every hour and feel awful", "heavy_bleeding_rate"),
    ("changing my pad every 30 minutes since about 8pm", "heavy_bleeding_rate"),
    ("I've filled 3 pads in the last 2 hours", "heavy_bleeding_rate"),
    ("Bled right through my trousers on the bus home", "heavy_bleeding_rate"),
    ("Day 4 after the miscarriage, it was easing but now it's gushing", "heavy_bleeding_rate"),
    ("The bleeding hasn't slowed down at all, I'm changing pads every half hour",
     "heavy_bleeding_rate"),
    ("I'm not dizzy but I'm soaking a pad every hour", "heavy_bleeding_rate"),
    ("Last year I lost a baby and now I'm bleeding through a pad in under an hour",
     "heavy_bleeding_rate"),
    ("Bleeding has got heavier since lunchtime and it's bright red", "bleeding_getting_heavier"),
    ("it started light but it's getting heavier and heavier", "bleeding_getting_heavier"),
    ("passing huge clots and I feel really shaky and unwell", "large_clots_unwell"),
    ("clots the size of my fist, feel sick and weak", "large_clots_unwell"),
    ("I nearly fainted in the shower just now", "faint_dizzy_collapse"),
    ("Feeling really lightheaded when I stand up, still bleeding", "faint_dizzy_collapse"),
    ("I collapsed on the bathroom floor an hour ago", "faint_dizzy_collapse"),
    ("I can't stand up without feeling faint", "faint_dizzy_collapse"),
    ("feel like I'm going to pass out", "faint_dizzy_collapse"),
    ("she's gone grey and clammy and is barely talking", "faint_dizzy_collapse"),
    ("I fainted in the kitchen earlier, I think I'm ok now though", "faint_dizzy_collapse"),
    ("My heart is racing and I'm still bleeding a lot", "racing_heart_bleeding"),
    ("I've got a temperature of 38.4 and I'm shivering", "infection_signs"),
    ("the discharge smells really bad, 10 days after surgery", "infection_signs"),
    ("No pain, but I've got a fever and the shakes", "infection_signs"),
    ("I don't feel dizzy, but my temp is 39", "infection_signs"),
    ("flu-like and shivery since the ERPC on Monday", "infection_signs"),
    ("sharp pain on my left side that won't go away", "severe_pain"),
    ("getting a weird pain in the tip of my shoulder", "severe_pain"),
    ("the pain is getting worse and worse, paracetamol isn't touching it", "severe_pain"),
    ("cramps so bad I can barely walk", "severe_pain"),
    ("I keep thinking everyone would be better off without me", "self_harm"),
    ("I don't want to be here anymore", "self_harm"),
    ("sometimes I hope I just don't wake up", "self_harm"),
    ("I've been saving up my tablets", "self_harm"),
    ("I've been thinking about ending it", "self_harm"),
    ("part of me wants to kill myself", "self_harm"),
    ("I took all my sleeping tablets an hour ago", "self_harm"),
    ("I'm not suicidal, I just can't see the point in living any more", "self_harm"),
    ("Honestly my family would be better off if I wasn't here", "self_harm"),
    ("if this happens again I'll end it all", "self_harm"),
    ("He hit me again last night when I wouldn't stop crying", "being_hurt_at_home"),
    ("My husband threatened to hurt me if I tell anyone", "being_hurt_at_home"),
    ("I don't feel safe at home since the miscarriage", "being_hurt_at_home"),
    ("I'm 7 weeks pregnant and bleeding with cramps, what should I do?",
     "pregnant_bleeding_pain"),
    ("pregnant again after two losses, now spotting red blood and period pain",
     "pregnant_bleeding_pain"),
    ("stood up and everything went black, came round on the floor", "faint_dizzy_collapse"),
    ("the discharge has turned green and smells rotten", "infection_signs"),
    ("she says she wants to be with our baby and won't open the door", "self_harm"),
    ("he's been shoving me about and said next time it'll be worse", "being_hurt_at_home"),
    ("I've had enough. I've got the tablets in front of me.", "self_harm"),
    ("temperature 38.2 this morning and I'm shivery", "infection_signs"),
    ("I passed out on the landing about 20 minutes ago", "faint_dizzy_collapse"),
]

NOT_RAISED = [
    "it doesn't hurt and no fever",
    "No fever, no dizziness, just wondering how long the bleeding lasts",
    "I'm not dizzy or faint, just tired all the time",
    "I haven't had any pain at all since the D&C",
    "I'm not going to do anything stupid, I just need to talk to someone",
    "Last year I collapsed at work during my ectopic",
    "Back in March I haemorrhaged and needed a transfusion. All fine now though.",
    "With my first miscarriage I had a fever and needed antibiotics",
    "If I get a temperature should I go to A&E?",
    "They told me to come back if I was soaking a pad an hour",
    "Got a faint positive today, is that normal after a loss?",
    "My world collapsed when they said there was no heartbeat",
    "I was dizzy for a couple of days after the surgery but that settled",
    "Two years ago I had thoughts of ending it all, but I got help and I'm in a much better "
    "place now",
    "I would never hurt myself, I just feel so sad",
    "Our baby's heart was racing at the 8 week scan",
    "Is it normal for the first period to be heavier than usual?",
    "Temperature is normal, bleeding is light, no pain",
    "I don't want to die, I just want this sadness to stop",
    "Heavier and heavier periods since the miscarriage, is that normal?",
    "My sister had an ectopic years ago and had shoulder tip pain",
    "I get pains on my right side when I ovulate, is that a good sign?",
    "No bleeding, no pain, just anxious about being pregnant again",
    "I'm 6 weeks pregnant, no bleeding but some mild cramps",
    "The leaflet said to watch out for fever or smelly discharge",
    "I am not bleeding heavily and not soaking pads",
    "When I was 19 I took an overdose, but that was a long time ago and I'm well now",
    "The pain was unbearable during the miscarriage last month, now it's gone",
    "Never had a fever or anything, just wanted to check the bleeding is ok",
    "I'm not feeling faint or lightheaded at all",
    "fever free for a week now after the antibiotics",
    "He used to hit me but I left him two years ago and I'm safe now",
    "no temperature, no smell, the bleeding is just like a light period",
    "Will I bleed heavily when I take the second tablets?",
    "Is it normal to pass a few small clots? I feel fine otherwise",
    "I had shoulder tip pain with my ectopic in 2019, is this pregnancy likely to be the same?",
    "My partner is hurting too, we just don't talk about it",
    "We want to write letters to our baby for the memory box",
    "The pain in my shoulder is from carrying my toddler, nothing else is wrong",
    "I'm hoping to be pregnant again by summer; no bleeding or pain now",
    "Not sure if it matters but I had a fever two years ago with my first, all fine now",
    "Will I feel dizzy after the general anaesthetic?",
    "She said to call if I felt faint or the bleeding got heavier, but it's all been fine",
    "the cramps were horrendous last Tuesday but have calmed down a lot",
    "is a temperature of 37.2 normal? I don't feel unwell",
    "",
]


@pytest.mark.parametrize(("text", "rule"), RAISED)
def test_red_flag_raises_with_its_rule(text: str, rule: str) -> None:
    """A current red flag fires its rule."""
    hits = safety.check(text)
    assert rule in [hit.rule for hit in hits], (text, [h.reason() for h in hits])


@pytest.mark.parametrize("text", NOT_RAISED)
def test_negated_hypothetical_or_past_flags_do_not_fire(text: str) -> None:
    """Negations, questions about the future and finished stories fire no rule."""
    assert safety.check(text) == [], [h.reason() for h in safety.check(text)]


def test_hit_keeps_exact_matched_text() -> None:
    """A hit quotes the comment's own text, so a midwife sees what fired."""
    text = "Since tea time I've been SOAKING through a pad every hour."
    (hit,) = safety.check(text)
    assert hit.rule == "heavy_bleeding_rate"
    assert text[hit.start : hit.end] == hit.matched
    assert hit.matched in hit.reason() and "heavy_bleeding_rate" in hit.reason()


def test_hit_structured_form_names_rule_and_text() -> None:
    """The structured reason carries the rule name and the matched text."""
    (hit,) = safety.check("I keep thinking they'd be better off without me")
    assert hit.to_dict()["rule"] == "self_harm"
    assert hit.to_dict()["matched"] == "better off without me"


def test_curly_apostrophes_are_understood() -> None:
    """Typographic apostrophes match like straight ones."""
    assert [h.rule for h in safety.check("I don\u2019t want to be here any more")] == ["self_harm"]


@pytest.mark.parametrize("urgency", ["routine", "priority", "urgent"])
def test_hits_raise_any_urgency_to_urgent(urgency: str) -> None:
    """With a hit, every urgency becomes urgent."""
    hits = safety.check("soaking a pad every hour")
    assert safety.raise_urgency(urgency, hits)[0] == "urgent"


@pytest.mark.parametrize("urgency", ["routine", "priority", "urgent"])
def test_no_hits_leave_urgency_unchanged(urgency: str) -> None:
    """Without a hit, the safety layer never changes (so never lowers) the urgency."""
    assert safety.raise_urgency(urgency, []) == (urgency, False)


def test_prefix_index_finds_every_match_a_full_scan_finds() -> None:
    """The fast prefix-indexed matcher misses nothing that scanning every pattern finds."""
    import re

    from bench.datagen import comment_bodies
    from classifier.corpus import load_corpus

    texts = [e.body for ex in load_corpus().values() for e in ex] + comment_bodies(300)
    texts += [text for text, _ in RAISED] + NOT_RAISED
    for text in texts:
        lowered = safety._Doc(text).text
        fast = safety._RULES_MATCHER.matches(lowered)
        for r, rule in enumerate(safety.RULES):
            found = {m.span() for m in fast.get(r, [])}
            for source in rule.patterns:
                for m in re.finditer(source, lowered):
                    assert m.span() in found or m.start() == m.end(), (rule.name, source, text)


PHRASES_FILE = Path(__file__).with_name("red_flag_phrases.txt")


def _phrases() -> list[tuple[str, str]]:
    """(expected category or "none", phrase) from the regression file, skipping comments."""
    rows = []
    for line in PHRASES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        expected, phrase = (part.strip() for part in line.split("|", 1))
        assert expected == "none" or expected in safety.CATEGORIES, line
        rows.append((expected, phrase))
    return rows


@pytest.mark.parametrize(("expected", "phrase"), _phrases())
def test_regression_phrase(expected: str, phrase: str) -> None:
    """Each red flag in the regression file fires with its category; each misfire stays quiet."""
    hits = safety.check(phrase)
    if expected == "none":
        assert hits == [], [h.reason() for h in hits]
    else:
        assert expected in safety.categories(hits), [(h.rule, h.category) for h in hits]


def test_every_category_has_must_fire_and_the_file_must_not_fire_phrases() -> None:
    """The regression file covers every category and the idioms the review listed."""
    rows = _phrases()
    assert len(rows) >= 150
    assert {expected for expected, _ in rows} == {*safety.CATEGORIES, "none"}


def test_safeguarding_flags_never_raise_urgency_on_their_own() -> None:
    """A safeguarding flag goes with any urgency; the model's urgency stands."""
    hits = safety.check("I'm 15 and I think I'm pregnant")
    assert [h.category for h in hits] == ["safeguarding"]
    assert safety.raise_urgency("routine", hits) == ("routine", False)


def test_abuse_is_also_a_safeguarding_matter() -> None:
    """Abuse by a partner brings the safeguarding flag with it."""
    hits = safety.check("he pushed me down the stairs this morning")
    assert safety.categories(hits) == ["abuse", "safeguarding"]


def test_plain_reason_names_the_red_flag_then_quotes_the_comment() -> None:
    """A midwife reads the red flag in plain words, then the comment's own words."""
    (hit,) = safety.check("I'm soaking a pad every hour")
    assert hit.plain_reason() == "heavy bleeding now: 'soaking a pad every hour'"
