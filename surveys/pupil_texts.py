"""Every text on the pupil screens and the teacher's session pages, in Dutch and English.

The pupil screens speak to children of 6 to 12: short sentences, "je" and "jij", no jargon, and
nothing that sounds like a test. They live here rather than in the shared translation catalogue so
that the child's wording can be read, checked and changed in one place, next to its English twin.
A text is chosen by the pupil's language (carried in the signed screen token), not by a login.
Placeholders are filled with :func:`text`; escaping is the template's job (autoescape).
"""

from __future__ import annotations

LANGUAGES = ("nl", "en")

TEXTS: dict[str, tuple[str, str]] = {
    # --- every pupil screen
    "app": ("Hoe gaat het op school?", "How are things at school?"),
    "read_aloud": ("Lees voor", "Read aloud"),
    "read_again": ("Nog een keer voorlezen", "Read it again"),
    "switch_language": ("English", "Nederlands"),
    "switch_language_lang": ("en", "nl"),
    "next": ("Verder", "Next"),
    "back": ("Terug", "Back"),
    # --- the code keypad
    "code_heading": ("Typ de klascode", "Type the class code"),
    "code_help": ("De code staat op het bord.", "You can find the code on the board."),
    "code_label": ("Klascode", "Class code"),
    "key_delete": ("Wis de laatste letter", "Delete the last letter"),
    "keypad": ("Toetsen", "Keys"),
    "code_unknown": ("Deze code kennen we niet. Kijk nog eens goed op het bord.",
                     "We don't know this code. Take another look at the board."),
    "code_too_many": ("Wacht even en probeer het dan nog een keer.",
                      "Wait a moment, then try again."),
    "pass_unknown": ("Deze QR-code werkt niet meer. Typ de klascode die op het bord staat.",
                     "This QR code doesn't work any more. Type the class code from the board."),
    # --- too many codes tried on this tablet network: wait a moment
    "wait_heading": ("Even geduld", "Just a moment"),
    "wait_qr": ("Heeft je juf of meester een QR-code? Scan die, dan kun je meteen beginnen.",
                "Does your teacher have a QR code? Scan it, and you can start straight away."),
    "try_again": ("Nog een keer proberen", "Try again"),
    "card_heading": ("Typ de code van jouw kaartje", "Type the code on your card"),
    "card_help": ("Elk kaartje werkt maar één keer.", "Each card works only once."),
    "card_label": ("Code van je kaartje", "Code on your card"),
    "card_used": ("Dit kaartje werkt niet. Vraag je juf of meester om een nieuw kaartje.",
                  "This card doesn't work. Ask your teacher for a new card."),
    # --- welcome
    "welcome_heading": ("Hallo! Fijn dat je meedoet.", "Hello! Thanks for joining in."),
    "welcome_1": ("We willen graag weten hoe het met jou gaat op school.",
                  "We would like to know how you are doing at school."),
    "welcome_2": ("Dit is geen toets. Er zijn geen goede of foute antwoorden.",
                  "This is not a test. There are no right or wrong answers."),
    "welcome_3": ("Niemand ziet wat jij kiest. Je juf of meester ook niet. "
                  "Je schrijft nergens je naam op.",
                  "Nobody will see what you choose. Not even your teacher. "
                  "You don't write your name anywhere."),
    "welcome_4": ("Kies bij elke vraag het gezichtje dat het beste past. "
                  "Wil je iets liever niet zeggen? Dat mag.",
                  "For each question, pick the face that fits best. "
                  "Would you rather not say something? That's fine."),
    "start": ("Beginnen", "Let's start"),
    # --- combination group
    "grade_heading": ("In welke groep zit jij?", "Which group are you in?"),
    "grade_option": ("Groep {grade}", "Group {grade}"),
    # --- questions
    "skip": ("Zeg ik liever niet", "I'd rather not say"),
    "answers": ("Kies een antwoord", "Choose an answer"),
    "progress_label": ("Hoe ver je bent", "How far you are"),
    "progress_many": ("Nog {n} vragen", "{n} questions to go"),
    "progress_half": ("Je bent al over de helft! Nog {n} vragen.",
                      "You're past halfway! {n} questions to go."),
    "progress_one": ("Nog maar 1 vraag!", "Just 1 more question!"),
    "progress_none": ("Alle vragen gehad!", "All questions done!"),
    "teacher_heading": ("Nu een paar vragen over {leraar}", "Now a few questions about {leraar}"),
    "teacher_text": ("Vertel eerlijk wat jij ziet. Daar kan {leraar} van leren. "
                     "Wat jij kiest, ziet {leraar} niet.",
                     "Tell us honestly what you see. It helps {leraar} learn. "
                     "Your answers stay hidden from {leraar}."),
    "intro_heading": ("Even uitleggen", "First, a few words"),
    # --- done and send
    "done_heading": ("Klaar! Goed gedaan.", "All done! Well done."),
    "done_text": ("Druk op de groene knop om je antwoorden te versturen.",
                  "Press the green button to send your answers."),
    "done_back": ("Wil je nog iets veranderen? Ga dan terug.",
                  "Want to change something? Go back."),
    "send": ("Versturen", "Send"),
    "sending": ("Je antwoorden worden verstuurd. Even wachten...",
                "Sending your answers. Just a moment..."),
    "send_retry": ("Het lukt nog niet, maar je antwoorden zijn veilig bewaard. "
                   "We proberen het zo nog een keer. Even wachten, je hoeft niets te doen.",
                   "It hasn't worked yet, but your answers are kept safe. "
                   "We'll try again in a moment. Please wait, you don't need to do anything."),
    "send_refused": ("Dit lukt niet meer. Vraag je juf of meester om hulp.",
                     "This can't be sent any more. Ask your teacher for help."),
    # --- talk to someone (P6)
    "talk_heading": ("Wil je met iemand praten over hoe het met je gaat?",
                     "Would you like to talk to someone about how things are going?"),
    "talk_text": ("Dat mag altijd. Het is goed om hulp te vragen.",
                  "You always can. It's good to ask for help."),
    "yes": ("Ja, graag", "Yes, please"),
    "no": ("Nee, nu niet", "No, not now"),
    "vp_heading": ("Je kunt praten met {name}", "You can talk to {name}"),
    "vp_heading_unknown": ("Je kunt praten met de vertrouwenspersoon",
                           "You can talk to the school's trusted adult"),
    "vp_role": ("Dat is de vertrouwenspersoon van onze school: iemand die naar je luistert en "
                "je helpt, met alles wat je dwarszit.",
                "That's our school's trusted adult: someone who listens to you and helps you "
                "with anything that bothers you."),
    "vp_contact": ("Zo kun je {name} vinden:", "How to find {name}:"),
    "vp_ask_teacher": ("Je juf of meester weet hoe je de vertrouwenspersoon kunt vinden.",
                       "Your teacher knows how to find the trusted adult."),
    "vp_form": ("Wil je dat er iemand naar je toe komt? Schrijf dan je voornaam en je groep op. "
                "Dit wordt apart bewaard, niet bij je antwoorden.",
                "Would you like someone to come and find you? Write your first name and your "
                "group. This is kept apart, not with your answers."),
    "first_name": ("Je voornaam", "Your first name"),
    "group_label": ("Je groep", "Your group"),
    "request_send": ("Stuur mijn naam", "Send my name"),
    "request_skip": ("Liever niet", "No, thanks"),
    "name_needed": ("Schrijf je voornaam op, dan weten we wie je bent.",
                    "Write your first name, so we know who you are."),
    "request_done": ("Je naam is doorgegeven. Er komt iemand naar je toe.",
                     "Your name has been passed on. Someone will come and find you."),
    # --- thanks
    "thanks_heading": ("Dank je wel!", "Thank you!"),
    "thanks_text": ("Je bent helemaal klaar. Fijn dat je hebt meegedaan.",
                    "You're all done. Thanks for taking part."),
    "thanks_kiosk": ("Geef de tablet maar aan het volgende kind.",
                     "Please pass the tablet to the next child."),
    "next_child": ("Volgende kind", "Next child"),
    "to_start": ("Terug naar het begin", "Back to the start"),
    # --- trouble
    "stale_heading": ("Oeps, dit scherm is verlopen", "Oops, this screen has expired"),
    "stale_text": ("Geen zorgen, jij hebt niets fout gedaan. Begin gewoon opnieuw.",
                   "Don't worry, you did nothing wrong. Just start again."),
    "start_again": ("Opnieuw beginnen", "Start again"),
    "closed_heading": ("Deze vragenlijst is nu dicht", "This questionnaire is closed now"),
    "closed_text": ("Vraag je juf of meester wat je kunt doen.", "Ask your teacher what to do."),
    "wait_network": ("Even wachten, we proberen het nog een keer...",
                     "Just a moment, we're trying again..."),
    "try_again_text": ("Dat ging niet goed. Probeer het nog een keer.",
                       "That didn't work. Please try again."),
    "pick_an_answer": ("Kies een van de gezichtjes, of druk op 'Zeg ik liever niet'.",
                       "Pick one of the faces, or press 'I'd rather not say'."),
    "pick_a_grade": ("Kies de groep waar jij in zit.", "Choose the group you are in."),
    "oops_heading": ("Oeps, dat ging niet goed", "Oops, that didn't work"),
    "too_big_text": ("De tablet stuurde veel te veel tegelijk. Geen zorgen, jij hebt niets fout "
                     "gedaan. Begin gewoon opnieuw.",
                     "The tablet sent far too much at once. Don't worry, you did nothing wrong. "
                     "Just start again."),
    "unreadable_text": ("De tablet stuurde iets wat wij niet kunnen lezen. Geen zorgen, jij hebt "
                        "niets fout gedaan. Begin gewoon opnieuw.",
                        "The tablet sent something we can't read. Don't worry, you did nothing "
                        "wrong. Just start again."),

    # --- the teacher's session pages (staff)
    "s_title": ("Vragenlijst in de klas", "Questionnaire in class"),
    "s_intro": ("Start een sessie voor je groep. De kinderen typen de klascode op een tablet of "
                "scannen de QR-code. Een sessie sluit vanzelf aan het eind van de schooldag.",
                "Start a session for your group. The pupils type the class code on a tablet or "
                "scan the QR code. A session closes by itself at the end of the school day."),
    "s_none": ("Er is nu geen open afname voor jouw groepen.",
               "There is no open survey wave for your groups right now."),
    "s_group": ("Groep", "Group"),
    "s_wave": ("Afname", "Wave"),
    "s_start": ("Sessie starten", "Start session"),
    "s_view": ("Bekijken", "View"),
    "s_recent": ("Sessies van vandaag en eerder", "Today's and earlier sessions"),
    "s_status_open": ("open", "open"),
    "s_status_closed": ("gesloten", "closed"),
    "s_code": ("Klascode", "Class code"),
    "s_howto": ("Ga op de tablet naar {url} en typ deze code, of scan de QR-code.",
                "On the tablet, go to {url} and type this code, or scan the QR code."),
    "s_qr_alt": ("QR-code die naar de vragenlijst van deze klas leidt",
                 "QR code that leads to this class's questionnaire"),
    "s_kiosk": ("Link voor klassentablets (kioskmodus)", "Link for classroom tablets (kiosk mode)"),
    "s_kiosk_qr": ("Of scan deze QR-code met de tablet.", "Or scan this QR code with the tablet."),
    "s_kiosk_qr_alt": ("QR-code met de link voor klassentablets",
                       "QR code with the link for classroom tablets"),
    "s_pass_help": ("De QR-codes bevatten een lange geheime link: die werkt ook als er te vaak een "
                    "verkeerde code is getypt.",
                    "The QR codes hold a long secret link: it keeps working even when wrong codes "
                    "have been typed too often."),
    "s_kiosk_help": ("Open deze link op een tablet die de kinderen om de beurt gebruiken. Na elk "
                     "kind gaat de tablet vanzelf terug naar het begin.",
                     "Open this link on a tablet the pupils take turns on. After each pupil the "
                     "tablet returns to the start by itself."),
    "s_count": ("{n} van {size} vragenlijsten klaar", "{n} of {size} questionnaires finished"),
    "s_ends": ("De sessie sluit vanzelf om {time}.", "The session closes by itself at {time}."),
    "s_close": ("Sessie sluiten", "Close session"),
    "s_closed": ("Deze sessie is gesloten. Kinderen die al bezig waren, kunnen nog {minutes} "
                 "minuten afmaken.",
                 "This session is closed. Pupils who had already started can finish within "
                 "{minutes} minutes."),
    "s_back": ("Terug naar de sessies", "Back to the sessions"),
    "s_cards": ("Codekaartjes", "Code cards"),
    "s_cards_help": ("Deze afname werkt met codekaartjes: elk kind trekt een kaartje uit een "
                     "doosje, en elke code werkt één keer. De codes worden niet bewaard: print ze "
                     "nu, later zijn ze niet meer te zien.",
                     "This wave uses code cards: each pupil draws a card from a box, and each code "
                     "works once. The codes are not kept: print them now, they cannot be shown "
                     "again later."),
    "s_cards_count": ("Aantal kaartjes", "Number of cards"),
    "s_cards_make": ("Kaartjes maken", "Make cards"),
    "s_cards_unused": ("{n} kaartjes nog niet gebruikt.", "{n} cards not used yet."),
    "s_card_line": ("Typ deze code op de tablet:", "Type this code on the tablet:"),
    "s_print": ("Afdrukken", "Print"),
    "s_cards_error": ("Kies een aantal van 1 tot {max}.", "Choose a number from 1 to {max}."),
}


def text(key: str, lang: str = "nl", **values: object) -> str:
    """The text ``key`` in ``lang`` (Dutch when unknown), with ``{placeholders}`` filled in."""
    nl, en = TEXTS[key]
    chosen = en if lang == "en" else nl
    for name, value in values.items():
        chosen = chosen.replace("{" + name + "}", str(value))
    return chosen
