// Where our trainer's iterations/s enter the benchmark, in Chromium (bench/page/main.ts) and in Node
// (bench/node.ts). The trainer (src/gan/trainer.ts) did not exist when this bench was written, so for now this file
// only says why those rows are absent; wiring it is: a `measureOursTraining(gpu, config, opts)` here returning
// report.ts's OursTrainingResult (iterations/s over many recorded iterations per submit, then gpu.sync(); the
// trainer's dispatch/pass/submit counts per iteration; configs.ts ganIterationFlops), called from both runners in
// place of absentTraining.

/** Why our trainer's rows are missing from this run, one line per reason. */
export function absentTraining(env: "chromium" | "node"): string[] {
  return [
    `ours (${env}) GAN training: src/gan/trainer.ts did not exist when the bench was written; see bench/ours-training.ts`,
  ];
}
