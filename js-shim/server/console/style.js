// The console's one stylesheet, served as a file (`/console/style.css`) so the
// Content-Security-Policy can say `style-src 'self'` and allow no inline style at all.
// Colours keep WCAG AA contrast (4.5:1) on white; focus is always visible for keyboard users.

export const STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a1a1a;background:#f6f6f4}
a{color:#0b5cad}
a:focus-visible,.scroll:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:2}
.skip:focus{left:.5rem}
header{background:#1d2b36;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header .brand{font-weight:700;margin-right:auto}
header nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
header a{color:#fff}
header a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
header form{margin:0}
header button{background:none;border:1px solid #fff;color:#fff;border-radius:4px;padding:.2rem .6rem;font:inherit;cursor:pointer}
.who{font-size:.9rem}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
section>h2:first-child{margin-top:0}
section{background:#fff;border:1px solid #d8d8d2;border-radius:6px;padding:1rem;margin-bottom:1rem}
.scroll{overflow-x:auto;margin-bottom:.5rem}
.scroll td,.scroll th{white-space:nowrap}
iframe{border:1px solid #d8d8d2;max-width:100%;background:#fff}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem;margin:0;padding:0}
.cards div{background:#fff;border:1px solid #d8d8d2;border-radius:6px;padding:.75rem}
.cards dt{font-size:.85rem;color:#4a4a4a}
.cards dd{margin:0;font-size:1.4rem;font-weight:700}
.cards dd small{display:block;font-size:.8rem;font-weight:400;color:#4a4a4a}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e4e4df;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.25rem 0}
form.range{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin-bottom:1rem}
label{display:flex;flex-direction:column;font-size:.9rem;gap:.2rem}
input,select{font:inherit;padding:.35rem .5rem;border:1px solid #767676;border-radius:4px;background:#fff}
button.primary{font:inherit;background:#0b5cad;color:#fff;border:0;border-radius:4px;padding:.45rem 1rem;cursor:pointer}
.note{color:#4a4a4a;font-size:.9rem}
.error{background:#fde8e8;border:1px solid #b3261e;color:#8c1d18;padding:.5rem .75rem;border-radius:4px}
.ok{color:#1e6b34;font-weight:600}
.bad{color:#b3261e;font-weight:600}
.signin{max-width:22rem;margin:4rem auto}
.signin form{display:flex;flex-direction:column;gap:.75rem}
textarea{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;width:100%;padding:.5rem;border:1px solid #767676;border-radius:4px;margin:.25rem 0 .75rem}
textarea[aria-invalid=true]{border:2px solid #b3261e}
textarea:focus-visible,summary:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.timeline{padding-left:1.25rem}
.timeline>li{margin-bottom:.75rem;border-bottom:1px solid #e4e4df}
.timeline p{margin:.2rem 0}
pre,blockquote{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f4;border-left:3px solid #d8d8d2;margin:.25rem 0;padding:.5rem}
h3{font-size:1rem;margin:1rem 0 .25rem}
svg{max-width:100%;height:auto;display:block}
svg text{font:12px system-ui,sans-serif;fill:#1a1a1a}
.status-failed,.status-refused,.status-unknown{color:#b3261e;font-weight:600}
.status-sent{color:#1e6b34}
@media (max-width:40rem){main{padding:.5rem}.cards dd{font-size:1.2rem}}
`;
