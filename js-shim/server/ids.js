// Names shared with the Rust ingest modules (src/ingest/sendgrid.rs): the custom args that
// carry Rekindle's ids through a provider and back on its event webhook.
export const CONTACT_ARG = 'rekindle_contact';
export const ACTION_ARG = 'rekindle_action';
