"""Decoding: turning a model's logits into tokens, below the data and its applications.

    sampling   choosing the next token from logits: greedy, temperature, top-k, nucleus (top-p)
    beam       batched beam search for sequence-to-sequence models, with GNMT length normalisation
    seq2seq    greedy and sampled step-by-step decoding of sequence-to-sequence models, in batches

It reads models only (no vocabulary, no data set): token ids in, token ids out. The tasks that score
decoded outputs (data/tasks/translation.py, dialogue.py) and the applications that print them
(generate/, cli/) sit above it.
"""
