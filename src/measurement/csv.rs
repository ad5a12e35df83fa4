//! The roll-ups as CSV (RFC 4180): one row per dimension and group, with the lift where the
//! group has a holdout, for a spreadsheet.

use super::Row;
use std::fmt::Write;

const HEADER: &str = "dimension,key,currency,abandoned,messaged,messages,delivered,opened,clicked,recovered,recovered_last_touch,recovery_rate,revenue_minor,average_order_minor,revenue_per_message_minor,sms_segments,sms_cost_minor,unsubscribes_per_1000,complaints_per_1000,held_out,holdout_rate,lift,lift_low,lift_high,p_value,conclusive\r\n";

fn field(out: &mut String, text: &str) {
    // Quote anything a spreadsheet could misread; a leading = + - @ would be a formula.
    let risky = text.starts_with(['=', '+', '-', '@']);
    if risky || text.contains([',', '"', '\r', '\n']) {
        out.push('"');
        if risky {
            out.push('\'');
        }
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

pub fn to_csv(rows: &[Row]) -> String {
    let mut out = String::from(HEADER);
    for row in rows {
        let m = &row.metrics;
        field(&mut out, row.dimension.as_str());
        out.push(',');
        field(&mut out, &row.key);
        out.push(',');
        field(&mut out, row.currency.as_deref().unwrap_or(""));
        // Split by currency, a row has at most one currency's money.
        let money = m.revenue.first().cloned().unwrap_or_default();
        let _ = write!(
            out,
            ",{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            m.abandoned,
            m.messaged,
            m.messages,
            m.delivered,
            m.opened,
            m.clicked,
            m.recovered,
            m.recovered_last_touch,
            m.recovery_rate,
            money.revenue_minor,
            money.average_order_minor,
            money.revenue_per_message_minor,
            m.sms_segments,
            m.sms_cost_minor,
            m.unsubscribes_per_1000,
            m.complaints_per_1000
        );
        match &row.lift {
            Some(l) => {
                let _ = write!(
                    out,
                    ",{},{},{},{},{},{},{}",
                    l.held_out, l.holdout_rate, l.difference.estimate, l.difference.low, l.difference.high, l.p_value, l.conclusive
                );
            }
            None => out.push_str(",,,,,,,"),
        }
        out.push_str("\r\n");
    }
    out
}
