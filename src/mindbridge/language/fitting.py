"""Fitting the small heads (training time only; inference never imports this module's torch
training code paths). Everything is seeded: the same data gives the same artefact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression

from mindbridge.language.encoder import import_torch
from mindbridge.language.heads import F32, DenseHead, LexicalHead, view_features
from mindbridge.language.lexical import TfidfVectorizer


@dataclass(frozen=True)
class DenseConfig:
    views: tuple[int, ...]
    hidden: int = 0  # 0 = a linear (logistic) head
    epochs: int = 30
    lr: float = 1e-3
    weight_decay: float = 1e-4
    dropout: float = 0.1
    batch_size: int = 128
    pos_weight: float = 1.0  # up-weights positives for rare labels (1 = none)
    seed: int = 0


def fit_dense(
    views: F32,
    y: NDArray[np.int8],
    cfg: DenseConfig,
    val_views: F32 | None = None,
    val_y: NDArray[np.int8] | None = None,
) -> tuple[DenseHead, int]:
    """Train with BCE (multi-label or binary) in torch; keep the epoch with the lowest
    validation loss when a validation set (a held-out part of the TRAINING data) is given.
    Returns the head and the chosen number of epochs."""
    torch = import_torch()
    # One thread: the reduction order, hence the weights, then match run to run.
    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    x = view_features(views, list(cfg.views))
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    xt = torch.from_numpy((x - mean) / scale)
    y2 = y.reshape(len(y), -1).astype(np.float32)
    yt = torch.from_numpy(y2)
    n_out = y2.shape[1]
    layers: list[Any] = []
    if cfg.hidden:
        layers += [
            torch.nn.Dropout(cfg.dropout),
            torch.nn.Linear(x.shape[1], cfg.hidden),
            torch.nn.ReLU(),
            torch.nn.Dropout(cfg.dropout),
            torch.nn.Linear(cfg.hidden, n_out),
        ]
    else:
        layers += [torch.nn.Dropout(cfg.dropout), torch.nn.Linear(x.shape[1], n_out)]
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.full((n_out,), float(cfg.pos_weight)))
    val: tuple[Any, Any] | None = None
    if val_views is not None and val_y is not None:
        xv = (view_features(val_views, list(cfg.views)) - mean) / scale
        val = (
            torch.from_numpy(xv.astype(np.float32)),
            torch.from_numpy(val_y.reshape(len(val_y), -1).astype(np.float32)),
        )
    best_loss, best_epoch = float("inf"), cfg.epochs
    best_state = {k: v.clone() for k, v in net.state_dict().items()}
    for epoch in range(1, cfg.epochs + 1):
        net.train()
        order = torch.from_numpy(rng.permutation(len(xt)))
        for start in range(0, len(order), cfg.batch_size):
            idx = order[start : start + cfg.batch_size]
            opt.zero_grad()
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        if val is not None:
            net.eval()
            with torch.no_grad():
                vloss = float(
                    torch.nn.functional.binary_cross_entropy_with_logits(net(val[0]), val[1])
                )
            if vloss < best_loss:
                best_loss, best_epoch = vloss, epoch
                best_state = {k: v.clone() for k, v in net.state_dict().items()}
    if val is not None:
        net.load_state_dict(best_state)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    head = DenseHead(
        views=np.asarray(cfg.views, dtype=np.int64),
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        weights=tuple(m.weight.detach().numpy().T.copy().astype(np.float32) for m in linears),
        biases=tuple(m.bias.detach().numpy().copy().astype(np.float32) for m in linears),
    )
    return head.as_shipped(), best_epoch


def fit_lexical(
    texts: list[str],
    y: NDArray[np.int8],
    c: float = 3.0,
    max_features: int = 20000,
    min_df: int = 2,
    balanced: bool = True,
) -> LexicalHead:
    """One L2 logistic regression per label over TF-IDF uni+bigrams (liblinear, deterministic)."""
    vectorizer = TfidfVectorizer.fit(texts, min_df=min_df, max_features=max_features)
    x = vectorizer.transform(texts)
    y2 = y.reshape(len(y), -1)
    coef = np.zeros((x.shape[1], y2.shape[1]), dtype=np.float32)
    intercept = np.zeros(y2.shape[1], dtype=np.float32)
    for j in range(y2.shape[1]):
        if y2[:, j].min() == y2[:, j].max():
            intercept[j] = 10.0 if y2[0, j] else -10.0
            continue
        model = LogisticRegression(
            C=c,
            solver="liblinear",
            class_weight="balanced" if balanced else None,
            max_iter=1000,
            random_state=0,
        ).fit(x, y2[:, j])
        coef[:, j] = model.coef_[0]
        intercept[j] = model.intercept_[0]
    return LexicalHead(vectorizer, coef, intercept).as_shipped()


def best_threshold(y: NDArray[np.int8], p: NDArray[np.float64]) -> float:
    """The probability cut that maximises F1 on (held-out) training data; ties -> the middle."""
    grid = np.round(np.arange(0.02, 0.96, 0.01), 2)
    scores = np.array([f1(y, p >= t) for t in grid])
    best = np.flatnonzero(scores >= scores.max() - 1e-12)
    return float(grid[best[len(best) // 2]])


def f1(y: NDArray[np.int8], pred: NDArray[np.bool_]) -> float:
    tp = float(np.sum((y == 1) & pred))
    fp = float(np.sum((y == 0) & pred))
    fn = float(np.sum((y == 1) & ~pred))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def fit_logistic(
    views: F32, y: NDArray[np.int8], which: tuple[int, ...], c: float = 0.3
) -> DenseHead:
    """L2 logistic regression per label (lbfgs, deterministic) over L2-normalised views."""
    x = view_features(views, list(which))
    y2 = y.reshape(len(y), -1)
    weights = np.zeros((x.shape[1], y2.shape[1]), dtype=np.float32)
    bias = np.zeros(y2.shape[1], dtype=np.float32)
    for j in range(y2.shape[1]):
        model = LogisticRegression(C=c, max_iter=3000).fit(x, y2[:, j])
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
    return DenseHead(
        views=np.asarray(which, dtype=np.int64),
        mean=np.zeros(x.shape[1], dtype=np.float32),
        scale=np.ones(x.shape[1], dtype=np.float32),
        weights=(weights,),
        biases=(bias,),
    ).as_shipped()
