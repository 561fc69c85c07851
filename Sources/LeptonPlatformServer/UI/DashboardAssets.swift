/// The dashboard's style sheet and script, inlined into every page (nothing is fetched from a
/// CDN or any other host).
enum DashboardAssets {
    /// The style sheet: system fonts, a dark header, light cards and tables.
    static let css = """
    :root{--fg:#1d2330;--muted:#6b7385;--line:#e3e6ec;--bg:#f6f7fa;--accent:#3158d4;--ok:#1f8a4c;--bad:#c2362b;--warn:#b7791f}
    *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
    header{display:flex;align-items:center;gap:24px;padding:0 24px;height:52px;background:#161b26;color:#fff}
    header a{color:#c9d0de;text-decoration:none;padding:6px 10px;border-radius:6px}header a:hover{color:#fff;background:#262d3d}
    header a.active{color:#fff;background:#2f3850}.brand{font-weight:700;font-size:16px;color:#fff!important;letter-spacing:.3px}
    nav{display:flex;gap:4px;flex:1}.account{display:flex;align-items:center;gap:8px;color:#c9d0de;font-size:13px}
    .role{background:#2f3850;border-radius:10px;padding:1px 8px}button.link{background:none;border:0;color:#8fb0ff;cursor:pointer;font:inherit;padding:0}
    main{max-width:1180px;margin:0 auto;padding:20px 24px 48px}h1{font-size:22px;margin:4px 0 16px}h2{font-size:16px;margin:24px 0 8px}
    a{color:var(--accent)}.muted{color:var(--muted)}code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
    td .mono{overflow-wrap:anywhere}#cancel-job{margin-top:14px}
    .card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin-bottom:16px}
    .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin-bottom:16px}
    .stat{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px}.stat b{display:block;font-size:24px}
    .stat span{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.5px}
    table{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);border-radius:10px;overflow:hidden}
    th,td{text-align:left;padding:8px 12px;border-bottom:1px solid var(--line);vertical-align:top}th{background:#fafbfd;font-weight:600;font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.4px}
    tr:last-child td{border-bottom:0}
    .badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;background:#e9ecf2;color:#4a5266}
    .badge.running{background:#e3ecff;color:#2446b3}.badge.succeeded{background:#e0f3e8;color:var(--ok)}.badge.failed{background:#fbe4e2;color:var(--bad)}
    .badge.cancelled{background:#f1ece0;color:var(--warn)}.badge.queued{background:#eef0f4;color:#4a5266}
    form.stack,div.stack{display:grid;gap:10px;align-content:start}.nowrap{white-space:nowrap}label{font-weight:600;font-size:13px}label small{font-weight:400;color:var(--muted)}
    input[type=text],input[type=password],input[type=number],input[type=datetime-local],select,textarea{width:100%;padding:8px 10px;border:1px solid #cfd4de;border-radius:7px;font:inherit;background:#fff}
    textarea{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px;min-height:120px}
    .row{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px;align-items:end}
    button.primary,button.danger{border:0;border-radius:7px;padding:8px 16px;font:inherit;font-weight:600;cursor:pointer;color:#fff;background:var(--accent)}
    button.danger{background:var(--bad)}.error{background:#fbe4e2;color:#8c231b;border-radius:7px;padding:8px 12px}
    .ok{color:var(--ok);font-weight:600}.bad{color:var(--bad);font-weight:600}
    .login{max-width:420px;margin:10vh auto}.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
    .chart{background:#fff;border:1px solid var(--line);border-radius:10px;padding:8px}.chart svg{width:100%;height:auto;display:block}
    pre.log{background:#11151e;color:#d7dceb;border-radius:10px;padding:12px 14px;max-height:360px;overflow:auto;white-space:pre-wrap;margin:0}
    dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
    .split{display:grid;grid-template-columns:3fr 2fr;gap:16px}.split.even{grid-template-columns:2fr 3fr}td code{white-space:nowrap}@media (max-width:900px){.split{grid-template-columns:1fr}}
    """

    /// The script: an element with `data-live="URL"` is replaced by that URL's HTML every 2 s
    /// until the answer's `X-Job-State` is terminal (a job's curves and log tail); then the page
    /// is loaded once more, for its facts and buttons.
    static let script = """
    (function(){function bottom(){var log=document.getElementById('log');if(log)log.scrollTop=log.scrollHeight;}bottom();
    var el=document.querySelector('[data-live]');if(!el||el.dataset.terminal==='true')return;
    var done={succeeded:1,failed:1,cancelled:1};
    function tick(){fetch(el.dataset.live,{credentials:'same-origin',cache:'no-store'}).then(function(r){
    if(!r.ok)throw new Error(r.status);var state=r.headers.get('X-Job-State');return r.text().then(function(html){
    el.innerHTML=html;bottom();if(!done[state])setTimeout(tick,2000);else location.reload();});}).catch(function(){setTimeout(tick,5000);});}
    setTimeout(tick,2000);})();
    """
}
