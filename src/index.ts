// The public API (browser-safe): what this file names is what the package promises. Node adds requestNodeGpu
// in src/node.ts.

export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkpointLayout,
  decodeCheckpoint,
  encodeCheckpoint,
  type OptimizerCheckpoint,
  type TrainerState,
} from "./gan/checkpoint";
export {
  CLASSIFIER_KERNELS,
  Classifier,
  type ClassifierEvaluation,
  type ClassifierOptions,
  type ClassifierProgress,
  type ClassifierTraining,
  mnistSampleMetrics,
  sampleLabelledRows,
  trainClassifier,
} from "./gan/classifier";
export {
  cloneConfig,
  configBufferSizes,
  DEFAULT_CONFIG,
  type DiscriminatorConfig,
  defaultOptimizer,
  discriminatorSpec,
  GAN_ACTIVATIONS,
  GAN_CONSTRAINTS,
  GAN_INITS,
  GAN_LOSSES,
  GAN_OPTIMIZERS,
  type GanActivation,
  type GanConfig,
  type GanConfigInput,
  type GanConstraint,
  type GanInit,
  type GanLoss,
  type GanOptimizerConfig,
  type GanOptimizerKind,
  GENERATOR_OUTPUTS,
  type GeneratorConfig,
  type GeneratorOutput,
  generatorSpec,
  MAX_BATCH,
  MAX_D_STEPS,
  MAX_DEPTH,
  MAX_WIDTH,
  optimizerOptions,
  resolveConfig,
  type ValidateOptions,
  validateConfig,
} from "./gan/config";
export {
  checkDataset,
  type Dataset,
  DEFAULT_TOY_COUNT,
  MAX_DATASET_COUNT,
  type PointsOptions,
  pointsDataset,
  TOY_DEFAULTS,
  TOY_NAMES,
  type ToyName,
  type ToyOptions,
  toyDataset,
} from "./gan/datasets";
export { type IdxArray, type MnistOptions, mnistDataset, type ParseIdxOptions, parseIdx } from "./gan/idx";
export { discriminatorLoss, generatorLoss, type LossForm, lossKind, scoreIsLogit } from "./gan/losses";
export {
  type ClassHistogramMetrics,
  classHistogramMetrics,
  DEFAULT_METRIC_SAMPLES,
  datasetMixtureMetrics,
  type MixtureMetrics,
  mixtureMetrics,
} from "./gan/metrics";
export { DEFAULT_ITERATIONS, DEFAULT_LR_DECAY, decayFactor } from "./gan/schedule";
export {
  type GanMetrics,
  GanTrainer,
  type GeneratorGradients,
  MAX_CHUNK_ITERATIONS,
  RNG_STREAMS,
  type StepOptions,
} from "./gan/trainer";
/** CPU twins of every GPU op: the specification, in plain TypeScript (Float32Array in, out). */
export * as cpu from "./runtime/cpu/index";
export {
  describeAdapter,
  type RequestGpuOptions,
  requestGpu,
  WebGpuUnavailableError,
} from "./runtime/device";
export * from "./runtime/errors";
export {
  type AdapterDescription,
  type Arena,
  type ArenaSpec,
  BufferUsage,
  Dispatch,
  Gpu,
  type GpuStats,
  Readback,
  Recorder,
  type Shape,
  Tensor,
} from "./runtime/gpu";
export {
  type Access,
  type Constants,
  ceilDiv,
  type Kernel,
  type KernelDef,
  ParamsLayout,
  type ParamType,
} from "./runtime/kernel";
export * from "./runtime/mlp";
/** GPU op builders: each returns prepared Dispatch objects to record. */
export * as ops from "./runtime/ops/index";
export {
  DEFAULT_MAX_HEADER_BYTES,
  type DecodedSafetensors,
  type DecodeSafetensorsOptions,
  decodeSafetensors,
  encodeSafetensors,
  MAX_HEADER_NESTING,
  SAFETENSORS_DTYPES,
  type SafetensorsArray,
  type SafetensorsDtype,
  type SafetensorsExpectation,
  type SafetensorsTensor,
} from "./runtime/safetensors";
