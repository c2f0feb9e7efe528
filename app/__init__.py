"""The Streamlit side of salesmgmt: everything the pages share. The domain (`salesmgmt`) never
imports it (a test proves it); `dashboard.py` and `pages/` use it.

- `texts`: the user's language, translated messages, errors shown in that language;
- `queries`: the database from a page: one state of the data per run, cached reads, writes;
- `session`: sign-in, the session cookie, the signed-in user's scope;
- `sidebar`: the shared filter bar (period, regions, teams, reps) and what pages read of it;
- `layout`: the page registry, the page header, empty states, the first-run guard;
- `formats`: money (万元 / CNY, the one unit rule), percents, counts, dates, inert Markdown;
- `tables`: st.dataframe with headers, units and formats taken from the measures;
- `blocks`: pieces shared by pages (charts in the house style, strongest/weakest, downloads);
- `screen`: presentation mode (`?present=1`) and meeting sections that rotate on it;
- `meeting`: module 3's meeting pieces (the pack download, pickers, labels);
- `charts`: plotly figure builders (no Streamlit) and their one theme (`charts.theme`).
"""
