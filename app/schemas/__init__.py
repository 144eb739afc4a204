"""Request and response models (Pydantic v2); input models forbid unknown fields."""
