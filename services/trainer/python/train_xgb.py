"""XGBoost training, ONNX export and report images for the fraud trainer.

TypeScript drives the pipeline (replay, split, metrics, thresholds, model directory); this script
does only what needs the Python libraries. It is called twice per run:

  train_xgb.py train  CONFIG.json   -> workDir/{model.json, model.onnx, xgb-test-pred.f32, train-info.json}
  train_xgb.py report CONFIG.json   -> outDir/{pr-curve.png, score-histogram.png, cost-curve.png} (+ MLflow when configured)

Inputs are raw little-endian binaries written by the trainer: a row-major float32 feature matrix
(NaN = missing) and a uint8 label vector; the splits are contiguous row ranges (time order).
"""

import json
import math
import os
import platform
import sys

import numpy as np


def _load(config):
    rows, cols = int(config["rows"]), int(config["cols"])
    if rows == 0:
        raise SystemExit("no rows to train on")
    # memmap: the trainer's matrix can be GBs; XGBoost copies what it needs into its own format.
    x = np.memmap(config["featuresPath"], dtype="<f4", mode="r", shape=(rows, cols))
    y = np.fromfile(config["labelsPath"], dtype=np.uint8)
    if y.shape[0] != rows:
        raise SystemExit(f"labels file has {y.shape[0]} rows, features have {rows}")
    return x, y


def _versions():
    import onnx
    import onnxmltools
    import onnxruntime
    import xgboost

    return {
        "python": platform.python_version(),
        "xgboost": xgboost.__version__,
        "onnxmltools": onnxmltools.__version__,
        "onnx": onnx.__version__,
        "onnxruntime_python": onnxruntime.__version__,
        "numpy": np.__version__,
    }


def _to_onnx(booster, cols, input_name, output_name, opset):
    """Converts with onnxmltools' regressor path, then adds the logistic link explicitly.

    The classifier path emits a TreeEnsembleClassifier with a label output and a ZipMap-free
    probability pair; a TreeEnsembleRegressor producing the margin followed by one Sigmoid is the
    same function, scores 20-30% faster in onnxruntime and gives the scorer one [N, 1] output.
    """
    import onnx
    import xgboost as xgb
    from onnx import helper
    from onnxmltools.convert import convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType

    # onnxmltools reads feature indices from names of the form f<i>; the named booster stays as is.
    unnamed = booster.copy()
    unnamed.feature_names = None
    wrapper = xgb.XGBRegressor(objective="binary:logistic", n_estimators=booster.num_boosted_rounds())
    wrapper._Booster = unnamed
    model = convert_xgboost(
        wrapper,
        initial_types=[(input_name, FloatTensorType([None, cols]))],
        target_opset=opset,
    )
    graph = model.graph
    trees = [n for n in graph.node if n.op_type == "TreeEnsembleRegressor"]
    if len(trees) != 1 or len(graph.output) != 1:
        raise SystemExit("unexpected ONNX graph from onnxmltools: expected one TreeEnsembleRegressor")
    tree = trees[0]

    # XGBoost >= 3 stores base_score in probability space for binary:logistic; the regressor
    # path copies it verbatim, but the trees sum in margin space, so it must become logit(p).
    config = json.loads(booster.save_config())
    base_raw = config["learner"]["learner_model_param"]["base_score"]
    base_p = float(json.loads(base_raw)[0] if base_raw.startswith("[") else base_raw)
    base_margin = float(np.float32(math.log(base_p / (1.0 - base_p))))
    for attr in tree.attribute:
        if attr.name == "base_values":
            del attr.floats[:]
            attr.floats.append(base_margin)
        if attr.name == "post_transform" and attr.s != b"NONE":
            raise SystemExit("unexpected post_transform on the regressor")

    margin_name = "margin"
    old_output = graph.output[0].name
    tree.output[0] = margin_name
    graph.node.append(helper.make_node("Sigmoid", [margin_name], [output_name], name="Sigmoid"))
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info(output_name, onnx.TensorProto.FLOAT, [None, 1]))
    for n in graph.node:
        for i, name in enumerate(n.input):
            if name == old_output:
                n.input[i] = margin_name
    if not any(o.domain in ("", "ai.onnx") for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("", opset))
    graph.name = "fraud_xgboost"  # onnxmltools names the graph with a random uuid: bytes must be reproducible
    model.producer_name = "fraud-trainer"
    model.doc_string = "XGBoost binary:logistic as TreeEnsembleRegressor(margin) + Sigmoid"
    onnx.checker.check_model(model)
    return model, base_margin


def train(config):
    import onnxruntime as ort
    import xgboost as xgb

    out = config["workDir"]
    x, y = _load(config)
    r = config["ranges"]
    names = config["featureNames"]
    # Feature names in the model JSON let the scorer's TreeSHAP name its reason codes.
    dtrain = xgb.QuantileDMatrix(
        x[r["train"][0] : r["train"][1]], label=y[r["train"][0] : r["train"][1]],
        missing=np.nan, feature_names=names, nthread=config["params"]["nthread"],
        max_bin=config["params"].get("max_bin", 256),
    )
    dvalid = xgb.QuantileDMatrix(
        x[r["valid"][0] : r["valid"][1]], label=y[r["valid"][0] : r["valid"][1]],
        missing=np.nan, feature_names=names, ref=dtrain, nthread=config["params"]["nthread"],
    )
    v0, v1 = r["valid"]
    x_valid = np.ascontiguousarray(x[v0:v1])
    y_valid = y[v0:v1]
    dvalid_pred = xgb.DMatrix(x_valid, missing=np.nan, feature_names=names, nthread=config["params"]["nthread"])
    rounds, early = int(config["numBoostRound"]), int(config["earlyStoppingRounds"])

    def fit(p):
        evals_result = {}
        b = xgb.train(
            p, dtrain, num_boost_round=rounds, evals=[(dvalid, "valid")],
            early_stopping_rounds=early, evals_result=evals_result, verbose_eval=False,
        )
        it, score = int(b.best_iteration), float(b.best_score)
        # Keep only the trees up to the best validation PR-AUC: the exported model IS the best model.
        b = b[: it + 1]
        return b, it, score, evals_result, _average_precision(b.predict(dvalid_pred), y_valid)

    params = dict(config["params"])
    booster, best_iteration, best_score, evals_result, valid_ap = fit(params)
    candidates = [{"name": "xgboost (given parameters)", "algorithm": "xgboost", "params": params,
                   "validationPrAuc": valid_ap, "numTrees": booster.num_boosted_rounds(), "selected": False}]
    search = config.get("search")
    if search and int(search.get("trials", 0)) > 0:
        best_params, trials = _optuna_xgb(fit, params, search)
        b2, it2, s2, er2, ap2 = fit(best_params)
        candidates.append({"name": f"xgboost + optuna ({trials} trials)", "algorithm": "xgboost",
                           "params": best_params, "validationPrAuc": ap2,
                           "numTrees": b2.num_boosted_rounds(), "selected": False})
        if ap2 > valid_ap:
            booster, best_iteration, best_score, evals_result, valid_ap, params = b2, it2, s2, er2, ap2, best_params
    if config.get("lightgbm"):
        candidates.append(_lightgbm_candidate(config, x, y, r, search))
    xgb_best = max((c for c in candidates if c["algorithm"] == "xgboost"), key=lambda c: c["validationPrAuc"])
    xgb_best["selected"] = True
    booster.save_model(os.path.join(out, "model.json"))

    model, base_margin = _to_onnx(
        booster, x.shape[1], config["onnxInputName"], config["onnxOutputName"], int(config["opset"])
    )
    with open(os.path.join(out, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())

    t0, t1 = r["test"]
    x_test = np.ascontiguousarray(x[t0:t1])
    dtest = xgb.DMatrix(x_test, missing=np.nan, feature_names=names, nthread=config["params"]["nthread"])
    pred = booster.predict(dtest).astype("<f4")
    pred.tofile(os.path.join(out, "xgb-test-pred.f32"))

    # A Python-side parity check catches a broken conversion early; the authoritative check is
    # onnxruntime-node in the trainer, the runtime the scorer uses.
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    ort_pred = sess.run(None, {config["onnxInputName"]: x_test})[0].reshape(-1)
    py_parity = float(np.max(np.abs(ort_pred - pred))) if pred.size else 0.0

    importance = {}
    for kind in ("gain", "weight", "cover", "total_gain"):
        scores = booster.get_score(importance_type=kind)
        importance[kind] = {name: float(scores.get(name, 0.0)) for name in names}

    history = evals_result.get("valid", {}).get(params["eval_metric"], [])
    info = {
        "candidates": candidates,
        "params": params,
        "bestIteration": best_iteration,
        "bestValidationScore": best_score,
        "numTrees": booster.num_boosted_rounds(),
        "baseMargin": base_margin,
        "validationHistory": [float(v) for v in history],
        "importance": importance,
        "pythonParityMaxAbsDiff": py_parity,
        "versions": _versions(),
    }
    with open(os.path.join(out, "train-info.json"), "w") as f:
        json.dump(info, f, indent=2)


def _average_precision(scores, labels):
    """Step-wise average precision, the same estimator as the trainer's TypeScript PR-AUC."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    if labels.sum() == 0:
        return 0.0
    recall, precision = _pr_curve(scores, labels)
    return float(np.sum((recall - np.r_[0.0, recall[:-1]]) * precision))


def _optuna_xgb(fit, base, search):
    """TPE search over the XGBoost parameters that matter most at this fraud rate, on the time-split
    validation (early stopping there too); bounded by trials and wall time. Seeded: same data and
    seed, same trials."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        p = dict(base)
        p.update({
            "max_depth": trial.suggest_int("max_depth", 3, 10),
            "eta": trial.suggest_float("eta", 0.02, 0.3, log=True),
            "min_child_weight": trial.suggest_float("min_child_weight", 0.5, 50, log=True),
            "subsample": trial.suggest_float("subsample", 0.5, 1.0),
            "colsample_bytree": trial.suggest_float("colsample_bytree", 0.4, 1.0),
            "scale_pos_weight": trial.suggest_float("scale_pos_weight", 1.0, 50.0, log=True),
        })
        return fit(p)[4]

    sampler = optuna.samplers.TPESampler(seed=int(base.get("seed", 42)))
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=int(search["trials"]), timeout=float(search.get("timeoutSeconds", 600)))
    best = dict(base)
    best.update(study.best_params)
    return best, len(study.trials)


def _lightgbm_candidate(config, x, y, r, search):
    """LightGBM on the same split, exported to ONNX with onnxmltools and held to the same 1e-5
    parity gate (onnxruntime vs LightGBM's own predictions on the test rows)."""
    import lightgbm as lgb
    import onnxruntime as ort
    from onnxmltools.convert import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType

    t0, t1 = r["train"]
    v0, v1 = r["valid"]
    nthread = int(config["params"]["nthread"])
    seed = int(config["params"].get("seed", 42))
    x_train, y_train = np.ascontiguousarray(x[t0:t1]), y[t0:t1]
    x_valid, y_valid = np.ascontiguousarray(x[v0:v1]), y[v0:v1]
    base = {
        "objective": "binary", "metric": "average_precision", "learning_rate": 0.1, "num_leaves": 31,
        "min_child_samples": 20, "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
        "scale_pos_weight": float(config["params"].get("scale_pos_weight", 1)), "num_threads": nthread,
        "seed": seed, "deterministic": True, "force_row_wise": True, "verbose": -1,
    }

    def fit(p):
        train_set = lgb.Dataset(x_train, label=y_train, free_raw_data=False)
        valid_set = lgb.Dataset(x_valid, label=y_valid, reference=train_set)
        b = lgb.train(
            p, train_set, num_boost_round=int(config["numBoostRound"]), valid_sets=[valid_set],
            callbacks=[lgb.early_stopping(int(config["earlyStoppingRounds"]), verbose=False)],
        )
        return b, _average_precision(b.predict(x_valid, num_iteration=b.best_iteration), y_valid)

    params, name = base, "lightgbm (defaults)"
    if search and int(search.get("trials", 0)) > 0:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)

        def objective(trial):
            p = dict(base)
            p.update({
                "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
                "num_leaves": trial.suggest_int("num_leaves", 8, 128, log=True),
                "min_child_samples": trial.suggest_int("min_child_samples", 5, 200, log=True),
                "feature_fraction": trial.suggest_float("feature_fraction", 0.4, 1.0),
                "bagging_fraction": trial.suggest_float("bagging_fraction", 0.5, 1.0),
                "scale_pos_weight": trial.suggest_float("scale_pos_weight", 1.0, 50.0, log=True),
            })
            return fit(p)[1]

        study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(objective, n_trials=int(search["trials"]), timeout=float(search.get("timeoutSeconds", 600)))
        params = dict(base)
        params.update(study.best_params)
        name = f"lightgbm + optuna ({len(study.trials)} trials)"
    booster, valid_ap = fit(params)
    best_it = booster.best_iteration or booster.current_iteration()
    booster = lgb.Booster(model_str=booster.model_to_string(num_iteration=best_it))

    cols = x.shape[1]
    onx = convert_lightgbm(
        booster, initial_types=[(config["onnxInputName"], FloatTensorType([None, cols]))],
        target_opset=int(config["opset"]), zipmap=False,
    )
    e0, e1 = r["test"]
    x_test = np.ascontiguousarray(x[e0:e1])
    native = booster.predict(x_test)
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    outputs = sess.run(None, {config["onnxInputName"]: x_test})
    prob = np.asarray(outputs[-1]).reshape(len(x_test), -1)[:, -1]
    parity = float(np.max(np.abs(prob - native))) if native.size else 0.0
    return {
        "name": name, "algorithm": "lightgbm", "params": {k: v for k, v in params.items() if k != "verbose"},
        "validationPrAuc": valid_ap, "numTrees": int(best_it), "selected": False,
        "onnxParityMaxAbsDiff": parity, "onnxParityPassed": parity <= 1e-5,
        "lightgbmVersion": lgb.__version__,
    }


def _pr_curve(scores, labels):
    order = np.argsort(-scores, kind="stable")
    s, l = scores[order], labels[order].astype(np.float64)
    tp = np.cumsum(l)
    fp = np.cumsum(1.0 - l)
    last = np.r_[np.nonzero(np.diff(s))[0], s.size - 1]  # one point per distinct threshold
    tp, fp = tp[last], fp[last]
    positives = max(tp[-1], 1.0)
    return tp / positives, tp / np.maximum(tp + fp, 1.0)


def report(config):
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and CI
    import matplotlib.pyplot as plt

    out = config["outDir"]
    scores = np.fromfile(config["scoresPath"], dtype="<f4").astype(np.float64)
    labels = np.fromfile(config["labelsPath"], dtype=np.uint8)
    th = config["thresholds"]
    recall, precision = _pr_curve(scores, labels)

    # Fixed figure metadata keeps the PNG bytes reproducible run to run.
    meta = {"Software": None}
    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
    ax.step(recall, precision, where="post", color="#1f77b4")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.01)
    ax.set_ylim(0, 1.01)
    ax.set_title(f"Test PR curve (PR-AUC {config['metrics']['prAuc']:.4f})")
    for name, key, color in (("review", "review", "#ff7f0e"), ("block", "block", "#d62728")):
        m = config["metrics"]["atThreshold"][key]
        ax.plot([m["recall"]], [m["precision"]], "o", color=color, label=f"{name} >= {th[key]:.4g}")
    ax.legend(loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "pr-curve.png"), metadata=meta)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
    bins = np.linspace(0.0, 1.0, 51)
    ax.hist(scores[labels == 0], bins=bins, alpha=0.6, label="legitimate", color="#1f77b4")
    ax.hist(scores[labels == 1], bins=bins, alpha=0.6, label="fraud", color="#d62728")
    ax.set_yscale("log")
    for key, color in (("review", "#ff7f0e"), ("block", "#d62728")):
        ax.axvline(th[key], color=color, linestyle="--", label=f"{key} {th[key]:.4g}")
    ax.set_xlabel("score")
    ax.set_ylabel("transactions (log)")
    ax.set_title("Test score histogram")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "score-histogram.png"), metadata=meta)
    plt.close(fig)

    cost = config.get("costCurve")
    if cost:
        # Expected cost on the validation split (where the thresholds are chosen), in major units.
        pts = cost["points"]
        t = [p["threshold"] for p in pts]
        fig, ax = plt.subplots(figsize=(6, 4.5), dpi=100)
        ax.plot(t, [p["reviewCostMinor"] / 100 for p in pts], color="#ff7f0e", label="moving review (block fixed)")
        ax.plot(t, [p["blockCostMinor"] / 100 for p in pts], color="#d62728", label="moving block (review fixed)")
        ax.axhline(cost["allowAllCostMinor"] / 100, color="#7f7f7f", linestyle=":", label="no model (allow all)")
        for key, color in (("review", "#ff7f0e"), ("block", "#d62728")):
            ax.axvline(th[key], color=color, linestyle="--", linewidth=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("threshold (score >= threshold)")
        ax.set_ylabel("expected cost (major units)")
        ax.set_title(
            f"Validation cost (review {cost['reviewCostMinor'] / 100:g}, wrong block {cost['wrongBlockCostMinor'] / 100:g})"
        )
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(out, "cost-curve.png"), metadata=meta)
        plt.close(fig)

    if os.environ.get("MLFLOW_TRACKING_URI"):
        _log_mlflow(config)


def _log_mlflow(config):
    # Imported only here: without MLFLOW_TRACKING_URI the trainer needs no MLflow at all.
    import mlflow
    from mlflow.tracking import MlflowClient

    mlflow.set_experiment(config.get("mlflowExperiment") or "fraud-scorer")
    with mlflow.start_run(run_name=config["version"]) as run:
        flat = {k: v for k, v in config["params"].items()}
        mlflow.log_params({k: str(v) for k, v in flat.items()})
        mlflow.log_metrics({k: float(v) for k, v in config["flatMetrics"].items()})
        mlflow.set_tags({"model_version": config["version"], "feature_set_fingerprint": config["featureFingerprint"]})
        mlflow.log_artifacts(config["outDir"], artifact_path="model")
        name = config.get("mlflowModelName") or "fraud-xgboost"
        client = MlflowClient()
        try:
            client.create_registered_model(name)
        except Exception:  # already registered: add a version to it
            pass
        source = f"{run.info.artifact_uri}/model"
        mv = client.create_model_version(name, source=source, run_id=run.info.run_id)
        # Retrained models: lineage as tags, and the registry alias (e.g. "challenger") they get.
        for key, value in (config.get("lineage") or {}).items():
            mlflow.set_tag(f"lineage.{key}", json.dumps(value) if isinstance(value, dict) else str(value))
        if os.environ.get("MLFLOW_MODEL_ALIAS"):
            client.set_registered_model_alias(name, os.environ["MLFLOW_MODEL_ALIAS"], mv.version)
        print(json.dumps({"mlflowRunId": run.info.run_id, "mlflowModelVersion": mv.version}))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("train", "report"):
        raise SystemExit("usage: train_xgb.py train|report CONFIG.json")
    with open(sys.argv[2]) as f:
        config = json.load(f)
    {"train": train, "report": report}[sys.argv[1]](config)


if __name__ == "__main__":
    main()
