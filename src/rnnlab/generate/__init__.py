"""Generation from trained sequence models: sampling rules over logits (sampling.py), streamed text from a
language model (text.py), and the other applications' decoders beside them."""
