//! A simulation as a text table (the command's output, the docs' tables) and as one
//! self-contained HTML page: inline SVG charts, inline CSS, no script, nothing fetched.

use super::{Interval, Simulation};
use std::fmt::Write;

fn iv(i: &Interval) -> String {
    format!("{:.1} [{:.1}, {:.1}]", i.estimate, i.low, i.high)
}

/// A Markdown table (readable as plain text too): one row per policy, per 1,000 abandonments.
pub fn table(sim: &Simulation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "world {}: {} shoppers, seed {}; with no message {:.1} orders per 1,000 [{:.1}, {:.1}]; per 1,000 abandonments, 95% intervals\n",
        sim.world, sim.shoppers, sim.seed, sim.baseline_orders.estimate, sim.baseline_orders.low, sim.baseline_orders.high
    );
    let first = sim.policies.first().map_or("", |p| p.policy.as_str());
    let _ = writeln!(
        out,
        "| policy | incremental orders | incremental revenue | net of incentives and SMS | messages (email + SMS) | SMS cost | unsubscribes | orders vs {first} |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for p in &sim.policies {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.0} ({:.0} + {:.0}) | {:.2} | {} | {} |",
            p.policy,
            iv(&p.incremental_orders),
            iv(&p.incremental_revenue),
            iv(&p.incremental_net_revenue),
            p.messages.estimate,
            p.emails.estimate,
            p.sms.estimate,
            p.sms_cost.estimate,
            iv(&p.unsubscribes),
            if p.policy == first { "—".to_string() } else { iv(&p.orders_vs_first) },
        );
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A horizontal bar per policy with its 95% interval as a whisker; zero marked.
fn chart(title: &str, unit: &str, rows: &[(String, Interval)]) -> String {
    let (width, label, row_h) = (720.0, 170.0, 28.0);
    let height = 40.0 + row_h * rows.len() as f64;
    let lo = rows.iter().map(|(_, i)| i.low.min(0.0)).fold(0.0_f64, f64::min);
    let hi = rows.iter().map(|(_, i)| i.high.max(0.0)).fold(0.0_f64, f64::max);
    let span = if hi - lo > 0.0 { hi - lo } else { 1.0 };
    let x = |v: f64| label + (v - lo) / span * (width - label - 60.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<figure><figcaption>{}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{}">"##,
        escape(title),
        escape(title)
    );
    let zero = x(0.0);
    let _ = write!(svg, r##"<line x1="{zero:.1}" y1="10" x2="{zero:.1}" y2="{:.1}" stroke="#888" stroke-dasharray="3,3"/>"##, height - 20.0);
    for (n, (name, i)) in rows.iter().enumerate() {
        let y = 20.0 + row_h * n as f64;
        let (a, b) = (x(0.0).min(x(i.estimate)), x(0.0).max(x(i.estimate)));
        let colour = if i.estimate >= 0.0 { "#2f7d5b" } else { "#b5473a" };
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="13">{}</text><rect x="{a:.1}" y="{y:.1}" width="{:.1}" height="16" fill="{colour}" opacity="0.8"/><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#222" stroke-width="1.5"/><text x="{:.1}" y="{:.1}" font-size="12">{:.1} {}</text>"##,
            label - 8.0,
            y + 12.0,
            escape(name),
            (b - a).max(1.0),
            x(i.low),
            y + 8.0,
            x(i.high),
            y + 8.0,
            x(i.high.max(0.0)) + 6.0,
            y + 12.0,
            i.estimate,
            escape(unit)
        );
    }
    svg.push_str("</svg></figure>");
    svg
}

/// One self-contained page: the table and a chart per measure, for each simulation given
/// (one per world).
pub fn html(sims: &[Simulation]) -> String {
    let mut page = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rekindle simulation</title><style>\
         body{font:14px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}\
         table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}\
         td:first-child,th:first-child{text-align:left}figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.3em}\
         </style></head><body><h1>Rekindle policy simulation</h1>\
         <p>The real engine, driven through a synthetic population; every policy meets the same shoppers with the same random numbers. Incremental figures are against the same shoppers with no message. Per 1,000 abandonments; bars are estimates, whiskers 95% intervals.</p>",
    );
    for sim in sims {
        let _ = write!(
            page,
            "<h2>World: {}</h2><p>{} shoppers, seed {}. With no message: {:.1} orders per 1,000 [{:.1}, {:.1}].</p>",
            escape(&sim.world),
            sim.shoppers,
            sim.seed,
            sim.baseline_orders.estimate,
            sim.baseline_orders.low,
            sim.baseline_orders.high
        );
        page.push_str("<table><tr><th>policy</th><th>incremental orders</th><th>incremental revenue</th><th>net revenue</th><th>messages</th><th>SMS cost</th><th>unsubscribes</th></tr>");
        for p in &sim.policies {
            let _ = write!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.2}</td><td>{}</td></tr>",
                escape(&p.policy),
                iv(&p.incremental_orders),
                iv(&p.incremental_revenue),
                iv(&p.incremental_net_revenue),
                p.messages.estimate,
                p.sms_cost.estimate,
                iv(&p.unsubscribes)
            );
        }
        page.push_str("</table>");
        let rows = |f: fn(&super::PolicySummary) -> Interval| -> Vec<(String, Interval)> {
            sim.policies.iter().map(|p| (p.policy.clone(), f(p))).collect()
        };
        page.push_str(&chart("Incremental orders per 1,000 abandonments", "", &rows(|p| p.incremental_orders)));
        page.push_str(&chart("Incremental net revenue per 1,000 abandonments", "", &rows(|p| p.incremental_net_revenue)));
        page.push_str(&chart("Messages per 1,000 abandonments", "", &rows(|p| p.messages)));
        page.push_str(&chart("Unsubscribes per 1,000 abandonments", "", &rows(|p| p.unsubscribes)));
    }
    page.push_str("</body></html>\n");
    page
}
