# The roadbrew DAG for one AOI. Included by Makefile.pipeline in its second make (RB_DAG=1),
# after the build, so every binary and python3 exist when this file is read.
#
#   work/<AOI>/ (WORK=work by default) holds:
#   work/<AOI>/params/      per-stage presets split from configs/aoi/<AOI>.json (rewritten only
#                           when their content changes: a config edit re-runs only its stages)
#   work/<AOI>/synth/       rb-synth dataset (AOIs with a "synth" config and no DATA=...)
#   work/<AOI>/list.tsv     the dataset's images (rb-prep list), ids.mk the rules' image ids
#   work/<AOI>/prep/ masks/ per image; tiles/ the split (split.mk: the test images)
#   work/<AOI>/run/         training; pred/ graphs/ per test image; eval.json, apls.json
#   work/<AOI>/decisions/   percolation, route and policy on one test scene
#   work/<AOI>/submission/  the SpaceNet CSV and what reproduces it
#   work/<AOI>/report/      index.html
#
# Image ids are known only once the data is listed, and the test images once the split is made:
# both lists are makefiles that Make builds and then restarts with (GNU make's remade includes).

WORK ?= work
W := $(WORK)/$(AOI)
P := $(W)/params
BIN := $(BUILD_DIR)/stages
CFG := $(or $(AOI_CONFIG),configs/aoi/$(AOI).json)
PY := python3
say = @echo "[$(AOI)] $(1)"

ifeq ($(wildcard $(CFG)),)
$(error AOI=$(AOI): there is no $(CFG); AOIs in configs/aoi: $(notdir $(basename $(wildcard configs/aoi/*.json))))
endif
PARAMS_ERROR := $(shell $(PY) scripts/stage-params.py $(CFG) $(P) BANDS=$(BANDS) LABELS=$(LABELS) \
                  MODEL=$(MODEL) DEVICE=$(DEVICE) POST=$(POST) 2>&1)
$(if $(PARAMS_ERROR),$(error $(PARAMS_ERROR)))
include $(P)/vars.mk

# ---------------------------------------------------------------- data
ifeq ($(DATA),)
ifeq ($(SYNTH_ARGS),)
$(error AOI=$(AOI) reads real SpaceNet data: give DATA=/path/to/SpaceNet (either release layout))
endif
# An AOI whose config has a "synth" section (sample, ci) is synthesised when no DATA is given.
DATA_ROOT := $(W)/synth
DATA_STAMP := $(W)/synth/.complete
$(DATA_STAMP): $(P)/synth.args $(BIN)/rb-synth
	$(call say,rb-synth $(SYNTH_ARGS))
	@rm -rf $(W)/synth
	@$(BIN)/rb-synth $(SYNTH_ARGS) -q --no-report --out $(W)/synth
	@touch $@
else
DATA_ROOT := $(DATA)
DATA_STAMP :=
endif

$(W)/list.tsv: $(DATA_STAMP) $(BIN)/rb-prep
	$(call say,rb-prep list $(DATA_ROOT))
	@$(BIN)/rb-prep list -q --no-report --images $(DATA_ROOT) --out $@

# IDS, and per image SRC_<id> (the 8-band pan-sharpened raster) and LBL_<id> (its labels); AOI_DIR
# and SUMMARY (the AOI's summaryData CSV, the APLS truth).
$(W)/ids.mk: $(W)/list.tsv
	@awk -F'\t' -v aoi=$(AOI_NAME) 'NR > 1 && $$2 == aoi { \
	  print "IDS += " $$1; print "SRC_" $$1 " := " $$3; print "LBL_" $$1 " := " $$4; \
	  if ($$5 != "") print "SUMMARY := " $$5; \
	  n = split($$3, part, "/"); dir = part[1]; for (i = 2; i <= n - 2; i++) dir = dir "/" part[i]; \
	  print "AOI_DIR := " dir }' $< > $@.tmp
	@grep -q '^IDS' $@.tmp || { echo "no $(AOI_NAME) images in $(DATA_ROOT)" >&2; rm $@.tmp; exit 1; }
	@mv $@.tmp $@
include $(W)/ids.mk

ifneq ($(IDS),)
PREP := $(IDS:%=$(W)/prep/%.tif)
MASKS := $(IDS:%=$(W)/masks/%.tif)

.SECONDEXPANSION:

$(W)/stats.json: $(W)/list.tsv $(P)/stats.json $(BIN)/rb-prep
	$(call say,rb-prep stats: AOI-wide band histograms)
	@$(BIN)/rb-prep stats -q --config $(P)/stats.json --images $(AOI_DIR) --out $@

$(W)/prep/%.tif: $$(SRC_$$*) $(W)/stats.json $(P)/prep.json $(BIN)/rb-prep
	$(call say,rb-prep image $*)
	@mkdir -p $(@D)
	@$(BIN)/rb-prep image -q --config $(P)/prep.json --stats $(W)/stats.json --input $(SRC_$*) \
	  --out $@

$(W)/masks/%.tif: $$(LBL_$$*) $(W)/prep/%.tif $(P)/mask.json $(BIN)/rb-mask
	$(call say,rb-mask $*)
	@mkdir -p $(@D)
	@$(BIN)/rb-mask -q --config $(P)/mask.json --labels $(LBL_$*) --reference $(W)/prep/$*.tif \
	  --out $@

$(W)/tiles/manifest.json: $(PREP) $(MASKS) $(P)/tiles.json $(BIN)/rb-prep
	$(call say,rb-prep tiles: tiling $(words $(IDS)) images and splitting them by image)
	@$(BIN)/rb-prep tiles -q --config $(P)/tiles.json --images $(W)/prep --masks $(W)/masks \
	  --out $(W)/tiles

$(W)/split.mk: $(W)/tiles/manifest.json
	@$(PY) scripts/split-ids.py $(W)/tiles/test/manifest.json TEST_IDS > $@.tmp && mv $@.tmp $@
include $(W)/split.mk
endif

ifneq ($(TEST_IDS),)
PRED := $(TEST_IDS:%=$(W)/pred/%.prob.tif)
GRAPHS := $(TEST_IDS:%=$(W)/graphs/%.geojson)
SCENE := $(firstword $(TEST_IDS))

# ---------------------------------------------------------------- learning
$(W)/run/.complete: $(W)/tiles/manifest.json $(P)/train.json $(P)/train.args $(MODEL_FILE) \
                    $(SOLVER_FILE) $(BIN)/rb-train pipelines/steps/train.sh
	$(call say,rb-train model $(notdir $(MODEL_FILE)) / solver $(notdir $(SOLVER_FILE)) on $(DEVICE))
	@pipelines/steps/train.sh $(BIN) $(P) $(W)/tiles $(W)/run $(DEVICE) $(MODEL_FILE) $(SOLVER_FILE)
	@touch $@

$(W)/pred/%.prob.tif: $(W)/prep/%.tif $(W)/run/.complete $(P)/infer.json $(P)/infer.args \
                      $(BIN)/rb-infer
	$(call say,rb-infer $*)
	@$(BIN)/rb-infer -q --config $(P)/infer.json --weights $(W)/run/best.safetensors \
	  --images $< --out $(W)/pred --device $(DEVICE)

$(W)/eval.json: $(PRED) $(P)/eval.json $(BIN)/rb-eval
	$(call say,rb-eval: pixel metrics of $(words $(PRED)) test images)
	@$(BIN)/rb-eval -q --config $(P)/eval.json --predictions $(W)/pred --labels $(W)/masks \
	  --out $@ --csv $(W)/eval.csv

# ---------------------------------------------------------------- optional CRF, graphs, submission
ifeq ($(POST),crf)
GRAPH_INPUT := $(W)/crf
$(W)/crf/%.prob.tif: $(W)/pred/%.prob.tif $(W)/prep/%.tif $(P)/crf.json $(BIN)/rb-crf
	$(call say,rb-crf $*)
	@$(BIN)/rb-crf -q --config $(P)/crf.json --prob $< --image $(W)/prep/$*.tif --out $(W)/crf
else
GRAPH_INPUT := $(W)/pred
endif

$(W)/graphs/%.geojson: $(GRAPH_INPUT)/%.prob.tif $(W)/prep/%.tif $(P)/graph.json $(BIN)/rb-graph
	$(call say,rb-graph $*)
	@mkdir -p $(@D) $(W)/report/img
	@$(BIN)/rb-graph -q --config $(P)/graph.json --prob $< --image $(W)/prep/$*.tif --out $@ \
	  --wkt-out $(W)/graphs/$*.csv --overlay $(W)/report/img/$*.graph.png

$(W)/submission/submission.csv: $(GRAPHS)
	$(call say,submission: $(words $(GRAPHS)) test images)
	@mkdir -p $(@D)
	@{ echo ImageId,WKT_Pix; for id in $(TEST_IDS); do tail -n +2 $(W)/graphs/$$id.csv; done; } \
	  > $@.tmp && mv $@.tmp $@
	@scripts/provenance.sh $(BIN) $(P) $(AOI) > $(W)/submission/provenance.json

$(W)/apls.json: $(W)/submission/submission.csv $(P)/apls.json $(BIN)/rb-apls
	$(call say,rb-apls: the submission against $(notdir $(SUMMARY)))
	@$(BIN)/rb-apls -q --config $(P)/apls.json --truth $(SUMMARY) --proposal $< --out $@ \
	  --csv $(W)/apls.csv

# ---------------------------------------------------------------- decisions on one test scene
$(W)/decisions/route.geojson: $(W)/pred/$(SCENE).prob.tif $(W)/graphs/$(SCENE).geojson \
                              $(P)/route.json $(BIN)/rb-route
	$(call say,rb-route across $(SCENE))
	@mkdir -p $(@D) $(W)/report/img
	@$(BIN)/rb-route -q --config $(P)/route.json --prob $< --image $(W)/prep/$(SCENE).tif \
	  --graph $(W)/graphs/$(SCENE).geojson --out $@ --overlay $(W)/report/img/route.png

# Percolation and the policy ask about the route's two ends: P(start <-> end), the connectivity
# field from the start, and the policy towards the end. Their JSON goes to the target; the copy
# they also print would bury the progress lines.
ROUTE_ENDS = $(shell $(PY) scripts/route-ends.py $(W)/decisions/route.geojson.report.json)

$(W)/decisions/percolation.json: $(W)/decisions/route.geojson $(P)/percolate.json $(BIN)/rb-percolate
	$(call say,rb-percolate between the route's ends on $(SCENE))
	@$(BIN)/rb-percolate mc -q --config $(P)/percolate.json --prob $(W)/pred/$(SCENE).prob.tif \
	  --image $(W)/prep/$(SCENE).tif --from $(word 1,$(ROUTE_ENDS)) --to $(word 2,$(ROUTE_ENDS)) \
	  --source $(word 1,$(ROUTE_ENDS)) --out $@ --field $(W)/decisions/connectivity.tif \
	  --realization-png $(W)/report/img/percolation.png --heatmap-png $(W)/report/img/connectivity.png \
	  > /dev/null

$(W)/decisions/policy.json: $(W)/decisions/route.geojson $(P)/gridworld.json $(BIN)/rb-gridworld
	$(call say,rb-gridworld policy to the route's end on $(SCENE))
	@$(BIN)/rb-gridworld map -q --config $(P)/gridworld.json --prob $(W)/pred/$(SCENE).prob.tif \
	  --image $(W)/prep/$(SCENE).tif --goal $(word 2,$(ROUTE_ENDS)) --summary $@ \
	  --values $(W)/decisions/values.tif --policy $(W)/decisions/policy.tif \
	  --quiver $(W)/report/img/policy.png > /dev/null

DECISIONS := $(W)/decisions/route.geojson $(W)/decisions/percolation.json $(W)/decisions/policy.json

# ---------------------------------------------------------------- the report
$(W)/report/img/%.image.png: $(W)/prep/%.tif
	@mkdir -p $(@D)
	@gdal_translate -q -of PNG -outsize 50% 50% $(if $(filter ms8,$(BANDS)),-b 5 -b 3 -b 2,-b 1 -b 2 -b 3) \
	  $< $@.tmp.png && mv $@.tmp.png $@ && rm -f $@.tmp.png.aux.xml
$(W)/report/img/%.truth.png: $(W)/masks/%.tif
	@mkdir -p $(@D)
	@gdal_translate -q -of PNG -outsize 50% 50% -scale 0 1 0 255 $< $@.tmp.png && mv $@.tmp.png $@ \
	  && rm -f $@.tmp.png.aux.xml
$(W)/report/img/%.pred.png: $(W)/pred/%.prob.tif
	@mkdir -p $(@D)
	@gdal_translate -q -of PNG -outsize 50% 50% -ot Byte -a_nodata none -scale 0 1 0 255 $< $@.tmp.png \
	  && mv $@.tmp.png $@ && rm -f $@.tmp.png.aux.xml

REPORT_IMAGES := $(foreach id,$(TEST_IDS),$(foreach kind,image truth pred,$(W)/report/img/$(id).$(kind).png))

$(W)/report/index.html: $(W)/eval.json $(W)/apls.json $(W)/submission/submission.csv $(DECISIONS) \
                        $(REPORT_IMAGES) $(W)/run/.complete scripts/make-report.py
	$(call say,report: $@)
	@cp $(W)/run/curves.png $(W)/report/img/curves.png
	@$(PY) scripts/make-report.py --work $(W) --aoi $(AOI) --out $@
	@echo "[$(AOI)] done: open $@"
endif

.PHONY: dag-report dag-submission dag-score
dag-report: $(W)/report/index.html
dag-submission: $(W)/submission/submission.csv
	@echo "[$(AOI)] submission: $< ($(words $(TEST_IDS)) images; provenance.json beside it)"
dag-score: $(W)/apls.json
	@$(PY) scripts/print-score.py $<
