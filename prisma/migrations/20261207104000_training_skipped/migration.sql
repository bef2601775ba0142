-- A retrain trigger whose dataset came out with fewer train lines than the policy's
-- learning.datasets.min_train_lines (e.g. feedback without artifacts): the dataset is kept with its
-- manifest, the trainer is not asked (audited `training.skipped` with the counts).
ALTER TYPE "TrainingRequestStatus" ADD VALUE 'skipped';
