"""``harness meta-eval``: how far each metric key agrees with human judgements.

Human-judged summaries (SummEval, Fabbri et al. 2021; REALSumm, Bhandari et al. 2020; FRANK, Pagnoni et al. 2021;
shipped in ``data/metaeval/``) are scored by the harness's own metrics through ordinary runs, and the scores are
correlated with the judgements following Deutsch, Dror & Roth (2021, "A Statistical Analysis of Summarization
Evaluation Metrics using Resampling Methods", TACL) and the WMT metrics task (Freitag et al. 2022):

- :mod:`.coefficients`: Pearson, Spearman, Kendall's tau-b, pairwise accuracy and ROC-AUC, with frequency weights
  (the copies a bootstrap resample draws), vectorised over resamples;
- :mod:`.levels`: the summary, system and global levels, and the one policy for undefined groups;
- :mod:`.frank`: FRANK's partial correlation given the system, and the binary error-label view;
- :mod:`.bootstrap`: percentile intervals resampling documents and systems together (BOOT-BOTH);
- :mod:`.significance`: the PERM-BOTH permutation test, Holm's correction, WMT significance clusters;
- :mod:`.data`: the datasets, and their scores gathered from runs (scoring what is missing);
- :mod:`.analysis`: one dataset's every statistic as a JSON-ready document;
- :mod:`.formats`, :mod:`.page`: the table, Markdown, JSON and the HTML page; :mod:`.run`: the command.
"""
