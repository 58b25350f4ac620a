"""A recurrent sequence model in plain torch.nn, exported by `rnnlab export --format torch`: no rnnlab needed.

    import model                                    # this file, in the export folder
    net = model.load("path/to/export-folder")       # nn.Module in eval mode
    outputs = net(inputs, lengths)                  # inputs (B, T) token ids or (B, T, D) floats

The network is an nn.Embedding for token inputs (features go in as they are), one
nn.LSTM, nn.GRU or nn.RNN (batch first), and an nn.Linear head: per step (B, T, O), or per sequence
(B, O) from the forward direction's last real step and the backward direction's first step. With
`lengths`, padded steps never reach the recurrence (packed sequences) and their outputs are the head
of zeros, as in rnnlab. The weights are in weights.pt, the sizes in export.json["torch"].
"""

import json
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

RECURRENT = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class SequenceModel(nn.Module):
    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.per_step, self.bidirectional = config["per_step"], config["bidirectional"]
        self.hidden_size = config["hidden_size"]
        width = config["embed_size"] if config["tokens"] else config["input_size"]
        self.encoder = nn.Embedding(config["input_size"], width) if config["tokens"] else nn.Identity()
        extra = {"nonlinearity": config["nonlinearity"]} if config["cell"] == "rnn" else {}
        self.rnn = RECURRENT[config["cell"]](width, self.hidden_size,
                                             num_layers=config["num_layers"], bidirectional=self.bidirectional,
                                             batch_first=True, **extra)
        self.head = nn.Linear(self.hidden_size * (2 if self.bidirectional else 1), config["output_size"])

    def forward(self, inputs: Tensor, lengths: Tensor | None = None) -> Tensor:
        x = self.encoder(inputs)  # (B, T, E)
        T = x.shape[1]
        if lengths is None:
            outputs, _ = self.rnn(x)  # (B, T, dirs·H)
            last = outputs[:, -1]
        else:
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            outputs, _ = pad_packed_sequence(self.rnn(packed)[0], batch_first=True, total_length=T)
            last = outputs[torch.arange(x.shape[0]), lengths.to(x.device) - 1]  # (B, dirs·H)
        if self.per_step:
            return self.head(outputs)  # (B, T, O)
        if self.bidirectional:  # the backward direction has read the whole sequence at step 0
            last = torch.cat([last[:, :self.hidden_size], outputs[:, 0, self.hidden_size:]], dim=-1)
        return self.head(last)  # (B, O)


def load(folder: str | Path) -> SequenceModel:
    """The exported model in `folder`, in eval mode."""
    folder = Path(folder)
    config = json.loads((folder / "export.json").read_text())["torch"]
    model = SequenceModel(config)
    model.load_state_dict(torch.load(folder / "weights.pt", weights_only=True))
    return model.eval()
