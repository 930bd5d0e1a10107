use super::{PROSE_CHARS, SHORT_CHARS, amount, text, texts};
use crate::domain::FieldErrors;
use crate::domain::applications::{Decision, NewApplication};
use crate::i18n::Locale;
use crate::messages::Message;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ApplicationForm {
    pub requested: String,
    pub purpose: String,
    pub hardware: String,
    pub provider_id: String,
    /// Which button: `draft` saves a draft (or the edits), anything else submits.
    #[serde(default)]
    pub action: String,
}

/// A funder's request for changes to a submitted application.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ChangeRequestForm {
    #[serde(default)]
    pub message: String,
}

impl ApplicationForm {
    /// The form filled with an application's content, amounts written the way `locale` reads them.
    pub fn of(application: &crate::domain::applications::Application, locale: Locale) -> ApplicationForm {
        let plain = application.requested().plain();
        ApplicationForm {
            requested: if locale == Locale::Fr { plain.replace('.', ",") } else { plain },
            purpose: application.purpose.clone(),
            hardware: application.hardware.clone(),
            provider_id: application.provider_id.to_string(),
            action: String::new(),
        }
    }

    /// The startup asked to save a draft rather than submit.
    pub fn saves_draft(&self) -> bool {
        self.action == "draft"
    }

    pub fn parse(&self, locale: Locale, currency: &str) -> Result<NewApplication, FieldErrors> {
        let mut errors = texts(&[("action", &self.action, SHORT_CHARS), ("requested", &self.requested, SHORT_CHARS), ("hardware", &self.hardware, SHORT_CHARS), ("provider_id", &self.provider_id, SHORT_CHARS)]);
        text(&mut errors, "purpose", &self.purpose, PROSE_CHARS, true);
        if !errors.is_empty() {
            return Err(errors);
        }
        let requested = amount(&mut errors, "requested", &self.requested, locale, currency);
        match requested {
            Some(requested) => Ok(NewApplication {
                requested,
                purpose: self.purpose.trim().to_string(),
                hardware: self.hardware.clone(),
                provider_id: self.provider_id.parse().ok(),
            }),
            None => Err(errors),
        }
    }
}

/// A funder's decision. Nothing is pre-selected: the funder says which.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub reason: String,
    /// Why an application that failed eligibility rules is approved all the same.
    #[serde(default)]
    pub override_reason: String,
}

impl DecisionForm {
    pub fn parse(&self, locale: Locale, currency: &str) -> Result<Decision, FieldErrors> {
        let mut errors = texts(&[("decision", &self.decision, SHORT_CHARS), ("amount", &self.amount, SHORT_CHARS)]);
        text(&mut errors, "reason", &self.reason, PROSE_CHARS, true);
        text(&mut errors, "override_reason", &self.override_reason, PROSE_CHARS, true);
        if !errors.is_empty() {
            return Err(errors);
        }
        match self.decision.as_str() {
            "approve" => match amount(&mut errors, "amount", &self.amount, locale, currency) {
                Some(amount) => Ok(Decision::Approve { amount }),
                None => Err(errors),
            },
            "reject" => Ok(Decision::Reject { reason: self.reason.trim().to_string() }),
            _ => {
                errors.add("decision", Message::new("decide-choose"));
                Err(errors)
            }
        }
    }
}
