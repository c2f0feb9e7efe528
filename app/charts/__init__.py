"""Chart builders, one module per area: plain functions from a DataFrame to a plotly figure (no
Streamlit here), so tests can check a figure's data with `fig.to_dict()`. Texts come in already
translated; money comes in CNY and is divided by `divisor` (10,000 for 万元) with the unit in the
axis title."""
