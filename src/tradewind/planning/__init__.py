"""Replenishment planning: demand forecasts, safety stock, order quantities and their backtest."""
