"""Site records the site writes itself: crane work cycles, the daily construction log."""
