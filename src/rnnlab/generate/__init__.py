"""Generation from trained sequence models: streamed text from a language model (text.py) and chorales
from a music model (music.py). The decoding rules they use (sampling, beam search) are in rnnlab.decode."""
