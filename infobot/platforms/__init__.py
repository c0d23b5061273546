"""Platform adapters. Each module is the only place its SDK is imported."""
