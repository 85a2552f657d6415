"""Ranking: leaderboards built from stored runs, the statistics behind them (bootstrap intervals, paired tests),
named findings (the verdict's evidence), novelty, and the output formats of a leaderboard.
"""
