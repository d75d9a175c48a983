-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "inputsPublic" BOOLEAN NOT NULL DEFAULT false;
