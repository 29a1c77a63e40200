//! English, whose catalogue declares `Words`.

catalogue! {
    declare words {
        /// ISO 639-1, as `<html lang>`, `Content-Language` and `?lang=` spell it.
        code: "en",
        /// Its own name for itself.
        name: "English",
        /// The switch's accessible name.
        language: "Language",
        meta_description: "Apply for a video interview: a short form, then your interview in the browser.",
        /// Without `BRAND_NAME`.
        careers: "Careers",
        privacy_notice: "Privacy notice",
        contact: "Contact:",
        opens_in_new_tab: "(opens in a new tab)",

        positions_title: "Open positions",
        no_positions: "There are no open positions right now. Please check back soon.",
        see_open_positions: "See open positions",
        back_to_form: "Back to the form",

        form_eyebrow: "Video interview",
        /// When Hireflix cannot be asked for the position's name.
        any_position: "Apply for this position",
        form_intro: "Tell us who you are and you will go straight to your interview.",
        next_heading: "What happens next",
        next_video: "When you press the button, your video interview opens here in your browser: you answer a few questions on camera, in your own time.",
        next_camera: "You need a camera and a microphone. Nothing to install; a phone works too.",
        next_email: "We also email you the link, so you can come back to it later.",
        data_notice: "When you press the button, your name, email and phone number are sent to Hireflix, our video interview provider, to set up your interview.",
        consent_label: "I agree that my details are sent to Hireflix to set up my video interview, as the privacy notice describes.",
        title_apply: "Apply: ",
        title_error: "Error: ",
        error_summary: "Please check your details",
        optional: "(optional)",
        submit: "Start my interview",
        /// public/apply.js, while the application is on its way.
        sending: "Opening your interview\u{2026}",
        /// public/embed.js: a landing page's frame's accessible name, before the position.
        frame_title: "Application form",
        position: "Position",
        first_name: "First name",
        last_name: "Last name",
        email: "Email",
        email_hint: "Your interview link is also sent here.",
        phone: "Phone",
        /// Unless `DEFAULT_PHONE_REGION` says.
        phone_region: "GB",
        phone_hint: "Add your country code, like +44, if the number is from another country.",
        /// In the error summary.
        consent: "Consent",

        first_name_missing: "Enter your first name.",
        last_name_missing: "Enter your last name.",
        name_too_long: "Use at most 50 characters.",
        not_a_name: "Use only letters, spaces, apostrophes, hyphens, and full stops after initials (like J. R.).",
        email_missing: "Enter your email address.",
        email_too_long: "This email address is too long.",
        not_an_email: "Enter an email address like name@example.com.",
        phone_characters: "Use only digits, spaces and a + at the start, or leave the phone empty.",
        phone_without_country_code: "Not a full local number: check it, add the country code (like +44), or leave it empty.",
        phone_incomplete: "This number has too few or too many digits: check it, or leave the phone empty.",
        consent_missing: "Tick the box to agree, so that we can set up your interview.",

        rate_limited: "You have sent this form several times in a short while. Please wait a minute, then send it again.",
        unavailable: "We could not send your application just now. Your details are still here: please try again in a minute.",
        refused_by_hireflix: "Hireflix could not accept these details. Please check them and try again.",
        human_check: "Check",
        human_check_missing: "Complete the check that you are a person, just above the button.",
        human_check_refused: "The check did not go through. Please complete it again, then send the form.",
        human_check_unavailable: "We could not confirm the check just now. Your details are still here: please try again in a minute.",
        human_check_needs_javascript: "This form asks your browser for a quick check that you are a person, which needs JavaScript. Please turn JavaScript on for this page, or use another browser.",
        honeypot_label: "Leave this empty",

        /// With and without `CONTACT_EMAIL` (the address follows the first).
        nothing_arrived_write_to: "Nothing there, not even in your spam folder? Write to us at",
        nothing_arrived: "Nothing there? Look in your spam folder too: the email comes from Hireflix.",
        place_in_line: "Your place in line",
        expected_by: "Expect the email by",
        /// Followed by `try_again_from` and the time (`2026-12-02 15:00 UTC`).
        position_paused: "Applications for this position are paused: too many people are applying right now. Nothing was sent, and your details are still here.",
        try_again_from: "Please send the form again from",
    }
    messages {
        invited_by_email: ("Check your email", "You were already invited to this position. Hireflix has emailed you the link to your interview: open it from that email. If you just applied, it arrives within a few minutes."),
        queued: ("Application received", "Thank you, we have your application. Hireflix, our video interview provider, will email you the link to your interview as soon as it is made; when many people apply at once, that can take a while. There is nothing else to do: you can close this page."),
        in_line: ("You are in line", "Thank you, we have your application. Many people are applying for this position, so interviews are sent in order of arrival, at a steady pace. Hireflix, our video interview provider, will email you the link to your interview by the time below. There is nothing else to do: you can close this page."),
        link_unusable: ("Your interview is ready", "Your interview was created, but we could not open it from here. Hireflix has emailed you the link to it: open it from that email, within a few minutes. There is no need to apply again."),
        position_not_found: ("Position not found", "This position does not exist or is no longer taking applications."),
        position_closed: ("Applications are closed", "This position is not taking applications at the moment."),
        origin_not_allowed: ("Form not accepted", "This form can only be sent from the company's own pages. Please apply from the careers page."),
        page_not_found: ("Page not found", "There is nothing at this address."),
        positions_unavailable: ("Positions are unavailable", "We cannot list the open positions right now. Please try again in a minute."),
        misconfigured: ("Applications are not open yet", "This form is not fully set up. Please try again later."),
        too_large: ("That was too much", "The form sent more data than an application needs."),
        unsupported_type: ("Unsupported form", "Please send the application from the form."),
        unreadable: ("Unreadable form", "The form could not be read. Please try again."),
    }
}
