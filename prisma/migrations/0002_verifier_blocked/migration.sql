-- AlterTable
ALTER TABLE "Assignment" ADD COLUMN     "verifierBlocked" BOOLEAN NOT NULL DEFAULT false;
